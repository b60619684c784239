#!/usr/bin/env node
// The `build` (and, with --pack, the `prepack`) of every published package; run from the package
// directory by its own script: `node ../../scripts/build-package.mjs [--pack]`.
//   1. --pack only: refuse unless pnpm is packing. Only pnpm applies `publishConfig` (exports and
//      types on dist/) and rewrites `workspace:` ranges; an npm or yarn tarball would point at
//      TypeScript sources and fail to install with EUNSUPPORTEDPROTOCOL.
//   2. Remove dist/ so a file that was moved or deleted in src/ is never shipped from an old build.
//   3. Copy the repository's LICENSE beside the manifest (the tarball must carry it).
//   4. tsc -p tsconfig.build.json: ESM, declarations, declaration maps and source maps.
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const packageDir = process.cwd();
const { name } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));

if (process.argv.includes('--pack')) {
  const agent = (process.env.npm_config_user_agent ?? '').split(' ')[0] ?? '';
  if (!agent.startsWith('pnpm/')) {
    console.error(
      [
        `${name}: pack and publish with pnpm (\`pnpm pack\`, \`pnpm publish\`), not ${agent || 'this tool'}.`,
        'Only pnpm applies publishConfig (exports and types pointing at dist/) and rewrites workspace: ranges;',
        'this tarball would point at TypeScript sources and fail to install with EUNSUPPORTEDPROTOCOL.',
        'See CONTRIBUTING.md, "Publishing".',
      ].join('\n'),
    );
    process.exit(1);
  }
}

rmSync(join(packageDir, 'dist'), { recursive: true, force: true });
copyFileSync(new URL('../LICENSE', import.meta.url), join(packageDir, 'LICENSE'));
const tsc = createRequire(join(packageDir, 'package.json')).resolve('typescript/bin/tsc');
const { status } = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: packageDir, stdio: 'inherit' });
process.exit(status ?? 1);
