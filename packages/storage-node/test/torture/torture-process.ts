/**
 * One torture child, seen from the parent: spawn it, follow its stdout protocol (see
 * `torture-child.ts`), kill it, and learn how it ended. Every spawned child is tracked in a set the
 * caller can kill wholesale (test teardown, a failed check).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { ChildArgs } from './torture-child.ts';

/** How a child ended. */
export interface ChildExit {
  /** True when it died of our SIGKILL. */
  killed: boolean;
  code: number | null;
  /** Runs it reported completed (`C` lines), even when killed afterwards. */
  completed: string[];
  // biome-ignore lint/suspicious/noExplicitAny: the `done` line's JSON depends on the mode
  done: any;
  stderr: string;
  /** The child's `error` line, if it failed. */
  error?: string;
}

/** A running child. */
export interface TortureProcess {
  readonly child: ChildProcess;
  /** Resolves when the child said `ready` (its store is open). */
  readonly ready: Promise<void>;
  /** Called once when the child says `K`. */
  onTrigger(listener: () => void): void;
  kill(): void;
  readonly exit: Promise<ChildExit>;
}

/** Spawn `node <script> <args>` with the compile cache in `cacheDir`. */
export function spawnTortureChild(
  script: string,
  args: ChildArgs,
  options: { cacheDir: string; timeoutMs: number; registry: Set<ChildProcess> },
): TortureProcess {
  const child = spawn(process.execPath, [script, JSON.stringify(args)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_COMPILE_CACHE: options.cacheDir },
  });
  options.registry.add(child);
  let killedByUs = false;
  let buffer = '';
  let stderr = '';
  let triggerListener: (() => void) | undefined;
  let triggered = false;
  const completed: string[] = [];
  let done: unknown;
  let error: string | undefined;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line === 'ready') markReady();
      else if (line === 'K') {
        triggered = true;
        triggerListener?.();
      } else if (line.startsWith('C ')) completed.push(line.slice(2));
      else if (line.startsWith('done ')) done = JSON.parse(line.slice(5));
      else if (line.startsWith('error ')) error = line.slice(6);
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-8000);
  });
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) {
      killedByUs = true;
      child.kill('SIGKILL');
    }
  };
  const exit = new Promise<ChildExit>((resolve, reject) => {
    const guard = setTimeout(() => {
      kill();
      reject(new Error(`torture child ${args.proc} (slot ${args.slot}) did not finish in ${options.timeoutMs} ms: ${stderr}`));
    }, options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      options.registry.delete(child);
      markReady();
      resolve({
        killed: killedByUs && signal === 'SIGKILL',
        code,
        completed,
        done,
        stderr,
        ...(error !== undefined ? { error } : {}),
      });
    });
  });
  return {
    child,
    ready,
    onTrigger(listener) {
      triggerListener = listener;
      if (triggered) listener();
    },
    kill,
    exit,
  };
}
