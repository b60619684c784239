/**
 * Running a fixture script in a child process that prints JSON lines, SIGKILLing it as soon as a
 * condition holds once it printed `started` (polled every millisecond).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** How a child ended and what it printed. */
export interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  // biome-ignore lint/suspicious/noExplicitAny: JSON lines printed by the child
  lines: any[];
  stderr: string;
}

/** Children still running (kill them in `afterEach`). */
export const children = new Set<ChildProcess>();

/** Absolute path of a script in `test-support/fixtures`. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** Run `node <script> <JSON args>`; SIGKILL it once `killWhen` holds after `started`. */
export function runChild(script: string, args: object, killWhen?: () => boolean, timeoutMs = 30_000): Promise<ChildOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    const outcome: ChildOutcome = { code: null, signal: null, lines: [], stderr: '' };
    let buffer = '';
    let poll: NodeJS.Timeout | undefined;
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not finish in ${timeoutMs} ms: ${outcome.stderr.slice(0, 2000)}`));
    }, timeoutMs);
    child.stdout.on('data', (data: Buffer) => {
      buffer += data.toString('utf8');
      for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
        const line = JSON.parse(buffer.slice(0, i));
        buffer = buffer.slice(i + 1);
        outcome.lines.push(line);
        if (line.event === 'started' && killWhen) {
          poll = setInterval(() => {
            if (killWhen()) child.kill('SIGKILL');
          }, 1);
        }
      }
    });
    child.stderr.on('data', (data: Buffer) => {
      outcome.stderr += data.toString('utf8');
    });
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      clearInterval(poll);
      children.delete(child);
      resolve({ ...outcome, code, signal });
    });
  });
}

/** The `result` line a child printed; throws with its error line and stderr otherwise. */
export function resultOf(outcome: ChildOutcome) {
  const line = outcome.lines.find((l) => l.event === 'result' || l.event === 'error');
  if (line?.event !== 'result') throw new Error(`child failed: ${JSON.stringify(line)} ${outcome.stderr.slice(0, 2000)}`);
  return line.result;
}
