/** No relative import crosses a package boundary: packages reach each other by name, as declared dependencies. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crossingImports } from '../src/package-boundaries.ts';
import { REPOSITORY_ROOT } from '../src/packages.ts';

describe('package boundaries', () => {
  it('no relative import in the repository leaves its package', async () => {
    expect(await crossingImports(REPOSITORY_ROOT)).toEqual([]);
  });

  it('finds an import, a re-export and a dynamic import that reach into another package', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cairn-boundaries-'));
    try {
      const files: Record<string, string> = {
        'package.json': '{}',
        'packages/a/package.json': '{}',
        'packages/a/src/index.ts': "import { b } from './b.ts';\nexport { rig } from '../../../tooling/rigs/src/rig.ts';\n",
        'packages/a/src/b.ts': "export const b = await import('../../b/src/index.ts');\n",
        'packages/b/package.json': '{}',
        'packages/b/src/index.ts': "import '../../a/src/b.ts';\n",
        'tooling/rigs/package.json': '{}',
        'tooling/rigs/src/rig.ts': 'export const rig = 1;\n',
      };
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), text);
      }
      execFileSync('git', ['init', '-q'], { cwd: root });
      expect(await crossingImports(root)).toEqual([
        { file: 'packages/a/src/b.ts', specifier: '../../b/src/index.ts', from: 'packages/a', to: 'packages/b' },
        {
          file: 'packages/a/src/index.ts',
          specifier: '../../../tooling/rigs/src/rig.ts',
          from: 'packages/a',
          to: 'tooling/rigs',
        },
        { file: 'packages/b/src/index.ts', specifier: '../../a/src/b.ts', from: 'packages/b', to: 'packages/a' },
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
