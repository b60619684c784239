/**
 * Runs a guide's steps as a reader would in a terminal, in a scratch folder outside the repository:
 * files written as printed, commands run by bash in the directory the previous command left,
 * outputs compared. Where the reader's npm would fetch `@cairn/*` from the registry, an `npm` found
 * first on PATH hands npm the packed tarballs instead (the only stand-in; the guide text is not
 * touched).
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { GuideStep } from './guide-steps.ts';
import type { PackedPackage } from './packages.ts';
import { runCommand } from './run-command.ts';
import { userEnvironment } from './scratch-project.ts';

/** What a step did, for the test to check. */
export interface StepOutcome {
  step: GuideStep;
  stdout: string;
  stderr: string;
}

/** A terminal session over one scratch folder. */
export interface GuideSession {
  /** The folder the guide starts in. */
  readonly home: string;
  /** The directory the last command left. */
  readonly cwd: string;
  /** Play `step`; rejects when a command fails or an output differs. */
  play(step: GuideStep): Promise<StepOutcome>;
  /** Stop background commands and remove the folder. */
  close(): Promise<void>;
}

/** Options of `openGuideSession`. */
export interface OpenGuideSessionOptions {
  packages: readonly PackedPackage[];
  /** Extra environment of every command. */
  env?: NodeJS.ProcessEnv;
  /** Deadline of one command (default 6 minutes: an npm install). */
  commandTimeoutMs?: number;
  /** For `page` steps: open `url` in a browser and resolve once its text is `expected` (reject with the text it shows). */
  checkPage?(url: string, expected: string): Promise<void>;
}

/**
 * The tarballs that stand in for `packed`: its own, and those of the `@cairn/*` packages it depends on
 * (a registry would fetch those itself, e.g. `@cairn/inspector` for `@cairn/storage-node`).
 */
function tarballsFor(packed: PackedPackage, packages: readonly PackedPackage[], seen = new Set<string>()): string[] {
  if (seen.has(packed.name)) return [];
  seen.add(packed.name);
  const manifest = JSON.parse(readFileSync(join(packed.dir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const dependencies = Object.keys(manifest.dependencies ?? {}).flatMap((name) => {
    const dependency = packages.find((candidate) => candidate.name === name);
    return dependency ? tarballsFor(dependency, packages, seen) : [];
  });
  return [packed.tarball, ...dependencies];
}

/** A `bin/npm` that swaps `@cairn/<name>` arguments for their tarballs, then runs the real npm. */
async function npmStandIn(binDir: string, packages: readonly PackedPackage[]): Promise<void> {
  const { stdout } = await runCommand('bash', ['-c', 'command -v npm'], { cwd: binDir, timeoutMs: 10_000 });
  const realNpm = stdout.trim();
  if (realNpm === '') throw new Error('npm is not on PATH');
  const cases = packages
    .map(
      (packed) =>
        `    ${packed.name}) args+=(${tarballsFor(packed, packages)
          .map((tarball) => JSON.stringify(tarball))
          .join(' ')}) ;;`,
    )
    .join('\n');
  const script = [
    '#!/usr/bin/env bash',
    '# Stand-in for the registry: @cairn/* are the packed tarballs; everything else is npm as usual.',
    'args=()',
    'for arg in "$@"; do',
    '  case "$arg" in',
    cases,
    '    *) args+=("$arg") ;;',
    '  esac',
    'done',
    `exec ${JSON.stringify(realNpm)} "\${args[@]}"`,
    '',
  ].join('\n');
  writeFileSync(join(binDir, 'npm'), script);
  chmodSync(join(binDir, 'npm'), 0o755);
}

/** A session in a fresh folder under the system temp directory. */
export async function openGuideSession(label: string, options: OpenGuideSessionOptions): Promise<GuideSession> {
  const root = mkdtempSync(join(tmpdir(), `cairn-guide-${label}-`));
  const home = join(root, 'home');
  const binDir = join(root, 'bin');
  mkdirSync(home);
  mkdirSync(binDir);
  await npmStandIn(binDir, options.packages);
  const cwdFile = join(root, 'cwd');
  writeFileSync(cwdFile, home);
  const env = userEnvironment({ ...options.env, PATH: `${binDir}:${process.env.PATH}` });
  const background: ChildProcess[] = [];
  let lastRun: StepOutcome | undefined;

  const script = (text: string) => `set -e\ncd "$(cat ${JSON.stringify(cwdFile)})"\n${text}\npwd > ${JSON.stringify(cwdFile)}\n`;
  const cwd = () => readFileSync(cwdFile, 'utf8').trim();

  const session: GuideSession = {
    home,
    get cwd() {
      return cwd();
    },
    async play(step) {
      const where = `guide line ${step.line}`;
      if (step.kind === 'file') {
        const path = join(cwd(), step.name);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, step.text);
        return { step, stdout: '', stderr: '' };
      }
      if (step.kind === 'output') {
        if (lastRun === undefined) throw new Error(`${where}: an output block with no command before it`);
        if (lastRun.stdout.trimEnd() !== step.text.trimEnd()) {
          throw new Error(
            `${where}: the command printed\n${lastRun.stdout}\ninstead of\n${step.text}\nstderr: ${lastRun.stderr}`,
          );
        }
        return lastRun;
      }
      if (step.kind === 'background') return startBackground(step);
      if (step.kind === 'page') {
        if (options.checkPage === undefined) throw new Error(`${where}: a page step needs a browser (checkPage)`);
        await options.checkPage(step.url, step.text.trim()).catch((error: Error) => {
          throw new Error(`${where}: ${error.message}`);
        });
        return { step, stdout: '', stderr: '' };
      }
      const result = await runCommand('bash', ['-c', script(step.text)], {
        cwd: home,
        env,
        timeoutMs: options.commandTimeoutMs ?? 360_000,
      });
      lastRun = { step, stdout: result.stdout, stderr: result.stderr };
      if (result.code !== 0) {
        throw new Error(
          `${where}: \`${step.text.trim()}\` exited with ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
        );
      }
      return lastRun;
    },
    async close() {
      for (const child of background) {
        if (child.exitCode === null && child.pid !== undefined) {
          try {
            process.kill(-child.pid, 'SIGTERM');
          } catch {
            // Already gone.
          }
        }
      }
      await Promise.all(
        background.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              const timer = setTimeout(() => {
                if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
                resolve();
              }, 10_000);
              child.on('exit', () => {
                clearTimeout(timer);
                resolve();
              });
            }),
        ),
      );
      rmSync(root, { recursive: true, force: true });
    },
  };

  /** Start a long-running command in its own process group; resolve once it printed `ready`. */
  function startBackground(step: Extract<GuideStep, { kind: 'background' }>): Promise<StepOutcome> {
    const child = spawn('bash', ['-c', `cd "$(cat ${JSON.stringify(cwdFile)})"\nexec ${step.text.trim()}`], {
      cwd: home,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    background.push(child);
    let stdout = '';
    let stderr = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`guide line ${step.line}: "${step.ready}" not printed in 120 s\nstdout: ${stdout}\nstderr: ${stderr}`),
          ),
        120_000,
      );
      const check = () => {
        // Tools colour their output when CI is set (Vite: "Local" in bold): match the plain text.
        if (!stripVTControlCharacters(`${stdout}\n${stderr}`).includes(step.ready)) return;
        clearTimeout(timer);
        resolve({ step, stdout, stderr });
      };
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        check();
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        check();
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(
          new Error(`guide line ${step.line}: \`${step.text.trim()}\` exited with ${code}\nstdout: ${stdout}\nstderr: ${stderr}`),
        );
      });
    });
  }

  return session;
}
