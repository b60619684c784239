/**
 * Running a fixture script in a child process that prints JSON lines, SIGKILLing it as soon as a
 * condition holds once it printed `started` (polled every millisecond). Shared by the end-to-end
 * crash tests of this package and of `@cairn/ai-sdk`.
 */
import { type ChildProcess, spawn } from 'node:child_process';

/** How a child ended and what it printed. */
export interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  // biome-ignore lint/suspicious/noExplicitAny: JSON lines printed by the child
  lines: any[];
  stderr: string;
  /** When it printed `started`, and when it exited (epoch ms). */
  startedAt?: number;
  endedAt: number;
}

/** Options of `runKillableChild`. */
export interface KillableChildOptions {
  /** Polled every millisecond once the child printed `started`; SIGKILL as soon as it holds. */
  killWhen?: () => boolean;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Fail (and SIGKILL the child) after this long (default 30 s). */
  timeoutMs?: number;
}

/** Children still running (kill them in `afterEach`). */
export const runningChildren = new Set<ChildProcess>();

/** Run `node <script> <JSON args>`, printing JSON lines; SIGKILL it once `killWhen` holds after `started`. */
export function runKillableChild(script: string, args: object, options: KillableChildOptions = {}): Promise<ChildOutcome> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    runningChildren.add(child);
    const outcome: ChildOutcome = { code: null, signal: null, lines: [], stderr: '', endedAt: 0 };
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
        if (line.event !== 'started') continue;
        outcome.startedAt = Date.now();
        const check = options.killWhen;
        if (check)
          poll = setInterval(() => {
            if (check()) child.kill('SIGKILL');
          }, 1);
      }
    });
    child.stderr.on('data', (data: Buffer) => {
      outcome.stderr += data.toString('utf8');
    });
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      clearInterval(poll);
      runningChildren.delete(child);
      resolve({ ...outcome, code, signal, endedAt: Date.now() });
    });
  });
}

/** The `result` line a child printed; throws with its error line and stderr otherwise. */
export function resultOf(outcome: ChildOutcome) {
  const line = outcome.lines.find((l) => l.event === 'result' || l.event === 'error');
  if (line?.event !== 'result') throw new Error(`child failed: ${JSON.stringify(line)} ${outcome.stderr.slice(0, 2000)}`);
  return line.result;
}

/** True while a process with this pid exists (signal 0 probes without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kill every child still running (for `afterEach`). */
export function killRunningChildren(): void {
  for (const child of runningChildren) child.kill('SIGKILL');
  runningChildren.clear();
}
