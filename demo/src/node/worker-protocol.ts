/**
 * What a demo worker tells its parent: one JSON object per line on stdout. Lines are written
 * synchronously (stdout to a pipe is synchronous in Node on Linux and macOS), so every line the
 * parent reads describes something that already happened — a journaled step, for `step-end`.
 */
import type { RunEvent, RunUsage } from '@cairn/core';

/** What the parent passes to a worker (argv[2], JSON). The API key travels in the environment. */
export interface WorkerArgs {
  mode: 'start' | 'resume';
  runId: string;
  storePath: string;
  ledgerPath: string;
  model: 'scripted' | 'openai';
  delayMs: number;
  leaseMs: number;
  /** A name for the lease owner, e.g. `worker-2`. */
  name: string;
}

/** One line from a worker. */
export type WorkerMessage =
  | { type: 'hello'; pid: number; owner: string; mode: WorkerArgs['mode']; runId: string }
  /** The run's lease when a resuming worker looked: `waitMs` > 0 means it waits that long, ≤ 0 that it ran out that long ago. */
  | { type: 'lease-found'; owner: string; expiresAt: number; waitMs: number }
  | { type: 'event'; event: RunEvent }
  | { type: 'result'; status: 'completed' | 'paused' | 'running'; output?: string; usage: RunUsage }
  | { type: 'error'; message: string; code?: string };

/** Parse one line; `null` for anything that is not a worker message (a stray log line). */
export function parseWorkerLine(line: string): WorkerMessage | null {
  if (!line.startsWith('{')) return null;
  try {
    const message = JSON.parse(line) as WorkerMessage;
    return typeof message?.type === 'string' ? message : null;
  } catch {
    return null;
  }
}
