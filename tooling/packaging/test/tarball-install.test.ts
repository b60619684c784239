/**
 * Every published package as a user gets it: the pnpm-packed tarball, installed with plain npm into
 * an empty ESM project outside the repository. A plain .mjs file runs a SQLite workflow, the `cairn`
 * binary reads it, and TypeScript consumers (bundler and node16 resolution, a Worker with only
 * @cloudflare/workers-types) type-check with `skipLibCheck: false`.
 */
import { cpSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { installedVersion } from '../src/installed-version.ts';
import { runCommand } from '../src/run-command.ts';
import { createScratchProject, type ScratchProject, userEnvironment } from '../src/scratch-project.ts';
import { tarballFiles, tarballManifest } from '../src/tarball-contents.ts';

const packed = inject('packedPackages');
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');
/** Test code and rigs: none of it may reach a tarball. */
const NOT_SHIPPED =
  /(^|\/)(test|tests|e2e|torture|test-support|fixtures|scripts)\/|\.test(-d)?\.[cm]?[jt]s|test-kit|tsconfig|vitest|wrangler/;
/** Packages that run outside Node and must not declare Node types. */
const PORTABLE = ['@cairn/core', '@cairn/storage-durable-objects', '@cairn/storage-indexeddb'];

/** Every file an `exports` map names, conditions and subpaths flattened. */
function exportTargets(exportsField: unknown): string[] {
  if (typeof exportsField === 'string') return [exportsField];
  if (exportsField === null || typeof exportsField !== 'object') return [];
  return Object.values(exportsField).flatMap(exportTargets);
}

describe('published tarballs', () => {
  it('are packed for every package under packages/', () => {
    expect(packed.map((entry) => entry.name)).toEqual(
      expect.arrayContaining([
        '@cairn/core',
        '@cairn/storage-node',
        '@cairn/storage-indexeddb',
        '@cairn/storage-durable-objects',
        '@cairn/inspector',
        '@cairn/storage-postgres',
        '@cairn/storage-redis',
      ]),
    );
  });

  it('hold no tests, rigs or configs, and carry LICENSE, README, declarations and maps', async () => {
    for (const { name, tarball } of packed) {
      const files = await tarballFiles(tarball);
      expect(
        files.filter((path) => NOT_SHIPPED.test(path)),
        name,
      ).toEqual([]);
      expect(files, name).toEqual(
        expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts']),
      );
      expect(files, name).toEqual(expect.arrayContaining(['dist/index.js.map', 'dist/index.d.ts.map']));
    }
  });

  it('have manifests that point at dist/, name no workspace: range and say where the code lives', async () => {
    for (const { name, tarball } of packed) {
      const manifest = await tarballManifest(tarball);
      const files = await tarballFiles(tarball);
      expect(JSON.stringify(manifest), name).not.toContain('workspace:');
      const targets = exportTargets(manifest.exports);
      expect(targets, name).toContain('./package.json');
      for (const target of [...targets, manifest.main, manifest.types]) {
        expect(target, name).toMatch(/^\.\/(dist\/.+\.(js|d\.ts|css)|package\.json)$/);
        expect(files, `${name}: ${target}`).toContain(String(target).slice(2));
      }
      expect(manifest, name).toMatchObject({
        license: 'MIT',
        type: 'module',
        repository: { type: 'git', directory: expect.stringMatching(/^packages\//) },
        homepage: expect.stringMatching(/^https:\/\//),
        bugs: { url: expect.stringMatching(/^https:\/\//) },
        keywords: expect.arrayContaining([expect.any(String)]),
      });
      expect(manifest.scripts ?? {}, name).not.toHaveProperty('prepack');
    }
  });
});

describe('packing with npm', () => {
  it('is refused by every package with a message that says to use pnpm', async () => {
    for (const { name, dir } of packed) {
      const result = await runCommand('npm', ['pack', '--dry-run'], { cwd: dir, timeoutMs: 120_000, env: userEnvironment() });
      expect(result.code, name).not.toBe(0);
      expect(result.stderr, name).toContain(`${name}: pack and publish with pnpm`);
    }
  });
});

describe('installed with npm into an empty ESM project', () => {
  let project: ScratchProject;

  beforeAll(async () => {
    project = await createScratchProject('consumer', {
      packages: packed,
      dependencies: {
        zod: `^${installedVersion('zod', 'packages/storage-node')}`,
        '@types/node': installedVersion('@types/node', 'packages/storage-node'),
        '@cloudflare/workers-types': installedVersion('@cloudflare/workers-types', 'packages/storage-durable-objects'),
      },
    });
    cpSync(new URL('../fixtures/consumer', import.meta.url), project.dir, { recursive: true });
  });

  afterAll(() => project?.remove());

  it('runs a SQLite workflow from a plain .mjs file, and a new process reads it back', async () => {
    const started = JSON.parse((await project.run('node', ['workflow.mjs', 'start', 'cairn.db'])).stdout);
    expect(started).toEqual({ runId: expect.stringMatching(/^run_/), output: 41 });
    const read = JSON.parse((await project.run('node', ['workflow.mjs', 'read', 'cairn.db', started.runId])).stdout);
    expect(read).toEqual({ status: 'completed', steps: [40, 41] });

    const { stdout } = await project.run('node_modules/.bin/cairn', [
      'show',
      started.runId,
      '--store',
      'sqlite:cairn.db',
      '--json',
    ]);
    expect(JSON.parse(stdout)).toMatchObject({ runId: started.runId, status: 'completed', workflow: 'double' });
  });

  it('declares no Node types in the portable packages', async () => {
    const portable = packed.filter((entry) => PORTABLE.includes(entry.name));
    expect(portable).toHaveLength(PORTABLE.length);
    const { stdout } = await project
      .run(
        'grep',
        [
          '-rlE',
          'NodeJS\\.|reference types="node"|from .node:',
          ...portable.map((entry) => `node_modules/${entry.name}/dist`),
          '--include=*.d.ts',
        ],
        {},
      )
      .catch((error: Error) => {
        // grep exits with 1 when nothing matches: the outcome this test wants.
        if (/exited with 1\n/.test(error.message)) return { stdout: '' };
        throw error;
      });
    expect(stdout).toBe('');
  });

  for (const consumer of ['bundler', 'node16'] as const) {
    it(`type-checks a ${consumer} consumer with skipLibCheck false`, async () => {
      expect(await typeErrors(project, `tsconfig.${consumer}.json`)).toEqual([]);
    });
  }
});

describe('installed with npm into a Workers project with only @cloudflare/workers-types', () => {
  let project: ScratchProject;

  beforeAll(async () => {
    project = await createScratchProject('workers', {
      packages: packed.filter((entry) => ['@cairn/core', '@cairn/storage-durable-objects'].includes(entry.name)),
      dependencies: {
        zod: `^${installedVersion('zod', 'packages/storage-node')}`,
        '@cloudflare/workers-types': installedVersion('@cloudflare/workers-types', 'packages/storage-durable-objects'),
      },
    });
    cpSync(new URL('../fixtures/consumer', import.meta.url), project.dir, { recursive: true });
  });

  afterAll(() => project?.remove());

  it('type-checks a Durable Object and a Worker with skipLibCheck false', async () => {
    const errors = await typeErrors(project, 'tsconfig.workers.json');
    // While `openai` is a hard dependency of @cairn/core, its declarations reach undici-types, which
    // need Node's types: that is openai's, and goes when openai becomes an optional peer ("Any model,
    // any tool"; ADR 0113). Nothing else may fail, in Cairn's declarations least of all.
    const coreManifest = await tarballManifest(packed.find((entry) => entry.name === '@cairn/core')!.tarball);
    const openaiRequired = Object.hasOwn((coreManifest.dependencies as object | undefined) ?? {}, 'openai');
    expect(errors.filter((line) => !(openaiRequired && line.startsWith('node_modules/undici-types/')))).toEqual([]);
  });
});

/** The lines `tsc -p <config>` prints in `project` (empty when it type-checks). */
async function typeErrors(project: ScratchProject, config: string): Promise<string[]> {
  const outcome = await project.run('node', [TSC, '-p', config, '--pretty', 'false']).then(
    (result) => result.stdout,
    (error: Error) => error.message,
  );
  return outcome
    .split('\n')
    .filter((line) => /error TS\d+/.test(line))
    .map((line) => line.replace(/^stdout: /, ''));
}
