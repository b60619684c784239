/**
 * Scratch projects outside the repository, installed with plain npm as a user would: an empty ESM
 * project whose dependencies are the packed tarballs (and whatever registry packages a test names).
 * npm's cache is shared by every scratch project and kept between runs, so a second install
 * needs the registry only for what changed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PackedPackage } from './packages.ts';
import { type CommandResult, runChecked } from './run-command.ts';

/** npm's cache for every scratch project. */
export const NPM_CACHE = join(tmpdir(), 'cairn-npm-cache');

/** An installed scratch project. */
export interface ScratchProject {
  dir: string;
  /** Write `files` (paths relative to the project). */
  write(files: Readonly<Record<string, string>>): void;
  /** Run a command in the project with a clean environment; rejects unless it exits with 0. */
  run(
    command: string,
    args: readonly string[],
    options?: { timeoutMs?: number; env?: NodeJS.ProcessEnv },
  ): Promise<CommandResult>;
  remove(): void;
}

/** Options of `createScratchProject`. */
export interface CreateScratchProjectOptions {
  /** Packed packages to install from their tarballs. */
  packages: readonly PackedPackage[];
  /** Registry packages and their ranges. */
  dependencies?: Readonly<Record<string, string>>;
  /** The npm install may take this long (default 6 minutes). */
  installTimeoutMs?: number;
}

/**
 * The environment of a command a user types: without the variables pnpm and Vitest set for their
 * children (`npm_config_*` from this repository's .npmrc, `VITEST`, `NODE_ENV=test`…).
 */
export function userEnvironment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|VITEST|NODE_ENV$|NODE_OPTIONS$|TEST$|INIT_CWD$)/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, npm_config_cache: NPM_CACHE, npm_config_update_notifier: 'false', ...extra };
}

/** A fresh directory under the system temp folder with an ESM package.json, then `npm install`. */
export async function createScratchProject(label: string, options: CreateScratchProjectOptions): Promise<ScratchProject> {
  const dir = mkdtempSync(join(tmpdir(), `cairn-scratch-${label}-`));
  const dependencies: Record<string, string> = { ...options.dependencies };
  for (const packed of options.packages) dependencies[packed.name] = `file:${packed.tarball}`;
  const project: ScratchProject = {
    dir,
    write(files) {
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
    },
    run: (command, args, runOptions = {}) =>
      runChecked(command, args, { cwd: dir, timeoutMs: runOptions.timeoutMs ?? 120_000, env: userEnvironment(runOptions.env) }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  project.write({
    'package.json': `${JSON.stringify({ name: `scratch-${label}`, private: true, type: 'module', dependencies }, null, 2)}\n`,
  });
  await project.run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    timeoutMs: options.installTimeoutMs ?? 360_000,
  });
  return project;
}
