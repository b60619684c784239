/**
 * The processes of a serving fleet: `serve-worker.ts` children on one store, the JSON lines they
 * print (`taken`, `done`, `stopped`), and waits on them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fixturePath } from './child-processes.ts';

/** Every worker started (SIGKILL them in `afterAll`). */
export const fleetChildren: ChildProcess[] = [];

/** A JSON line a worker printed. */
export interface Line {
  event: 'taken' | 'done' | 'stopped';
  runId?: string;
  at?: number;
  status?: string;
}

/** A running worker and what it printed so far. */
export interface Worker {
  name: string;
  child: ChildProcess;
  lines: Line[];
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Start `serve-worker.ts` on the store of `kind` at `location`; resolves once it serves. */
export function startWorker(kind: string, location: string, ledger: string, name: string, leaseMs: number): Promise<Worker> {
  const child = spawn(process.execPath, [fixturePath('serve-worker.ts'), kind, location, ledger, name, String(leaseMs)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  fleetChildren.push(child);
  const lines: Line[] = [];
  let stderr = '';
  let buffer = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${name} not ready: ${stderr}`)), 30_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const part of parts) {
        if (part === 'ready') {
          clearTimeout(timer);
          resolve({ name, child, lines, stderr: () => stderr, exited });
        } else if (part.startsWith('{')) lines.push(JSON.parse(part) as Line);
      }
    });
  });
}

/** Runs a worker took and has not finished. */
export function holding(worker: Worker): Set<string> {
  const held = new Set<string>();
  for (const line of worker.lines) {
    if (line.event === 'taken') held.add(line.runId!);
    if (line.event === 'done') held.delete(line.runId!);
  }
  return held;
}

/** Poll `done` every 10 ms until it holds; throws after `ms`. */
export async function waitFor(done: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
