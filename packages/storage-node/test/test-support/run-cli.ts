/**
 * Running the real `cairn` bin (`bin/cairn.mjs`) as a child process, the way a shell would: no
 * TTY, a clean environment (no inherited colour or store variables unless given), a timeout.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Path of the bin. */
export const CAIRN_BIN = fileURLToPath(new URL('../../bin/cairn.mjs', import.meta.url));

/** How a `cairn` invocation ended. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  // biome-ignore lint/suspicious/noExplicitAny: each command prints its own JSON shape
  json(): any;
}

/** Children still running, for afterEach to kill. */
export const cliChildren = new Set<ChildProcess>();

/** Run `cairn ...args`; `env` adds variables (undefined removes one). */
export function cairn(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
  timeoutMs = 60_000,
  /** Run the bin as another user (`uid`/`gid`; only root may), e.g. one that can only read the store. */
  user: { uid?: number; gid?: number } = {},
): Promise<CliRun> {
  const base = { ...process.env };
  for (const name of ['FORCE_COLOR', 'NO_COLOR', 'CAIRN_STORE', 'CAIRN_DEBUG']) delete base[name];
  const merged: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...base, ...env })) if (value !== undefined) merged[name] = value;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CAIRN_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: merged, ...user });
    cliChildren.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cairn ${args.join(' ')} did not finish in ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      cliChildren.delete(child);
      resolve({
        code,
        stdout,
        stderr,
        json() {
          try {
            return JSON.parse(stdout);
          } catch {
            throw new Error(
              `cairn ${args.join(' ')} printed no JSON (exit ${code}): ${stdout.slice(0, 500)} ${stderr.slice(0, 1000)}`,
            );
          }
        },
      });
    });
  });
}

/** Kill every `cairn` child still running. */
export function killCliChildren(): void {
  for (const child of cliChildren) child.kill('SIGKILL');
  cliChildren.clear();
}
