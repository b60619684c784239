/**
 * The parent's side of a worker: spawn `node worker.ts`, hand each JSON line to a callback as it
 * arrives, and let the callback SIGKILL the worker — a real kill, no handler runs, nothing flushes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseWorkerLine, type WorkerArgs, type WorkerMessage } from './worker-protocol.ts';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** How a worker ended. */
export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What it wrote on stderr (the last 4 KB), for error reports. */
  stderr: string;
  /** Whether the parent killed it. */
  killed: boolean;
}

/** A running worker. */
export interface WorkerProcess {
  readonly pid: number;
  /** SIGKILL the worker now. */
  kill(): void;
  readonly exited: Promise<WorkerExit>;
}

/** Every worker still alive, so the parent can kill them all on the way out. */
const alive = new Set<ChildProcess>();

/** SIGKILL every worker this process started and that is still running. */
export function killAllWorkers(): void {
  for (const child of alive) child.kill('SIGKILL');
}

/**
 * Start a worker. `onMessage` is called for each line in order, even after a kill (the lines the
 * worker wrote before it died are still in the pipe). Rejects `exited` if the worker outlives `timeoutMs`.
 */
export function spawnWorker(
  args: WorkerArgs,
  onMessage: (message: WorkerMessage, worker: WorkerProcess) => void,
  timeoutMs = 120_000,
): WorkerProcess {
  const child = spawn(process.execPath, [WORKER, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  alive.add(child);
  let killed = false;
  let stderr = '';
  let buffer = '';
  const worker: WorkerProcess = {
    pid: child.pid ?? -1,
    kill() {
      killed = true;
      child.kill('SIGKILL');
    },
    exited: new Promise<WorkerExit>((resolve, reject) => {
      const guard = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`worker ${args.name} did not finish within ${timeoutMs} ms; stderr:\n${stderr}`));
      }, timeoutMs);
      child.on('error', (error) => {
        clearTimeout(guard);
        alive.delete(child);
        reject(error);
      });
      child.on('close', (code, signal) => {
        clearTimeout(guard);
        alive.delete(child);
        resolve({ code, signal, stderr, killed });
      });
    }),
  };
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffer += chunk;
    for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
      const message = parseWorkerLine(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
      if (message) onMessage(message, worker);
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4096);
  });
  return worker;
}
