/**
 * Snapshots taken inside a run at chosen turns: logical bytes, bytes on disk and elapsed time. The
 * time a snapshot itself takes (a WAL checkpoint, a directory walk) is excluded from the elapsed
 * time, so it never counts as the framework's.
 */
import { windowStart } from './agent-workload.ts';

/** What a snapshot records. */
export interface TurnPoint {
  logicalBytes: number;
  diskBytes: number;
  /** Milliseconds since the probe started, snapshots excluded. */
  elapsedMs: number;
}

/** A probe over one run. */
export interface TurnProbe {
  /** Call at the start of each turn's tool call (turns count from 1). */
  at(turn: number): void;
  /** Mark the start of the run. */
  start(): void;
  /** Mark the end of the run; returns elapsed ms, snapshots excluded. */
  stop(): number;
  readonly points: Map<number, TurnPoint>;
}

/** Create a probe that snapshots at `turns`, reading the two byte counters given. */
export function turnProbe(turns: readonly number[], read: { logical(): number; disk(): number }): TurnProbe {
  const wanted = new Set(turns);
  const points = new Map<number, TurnPoint>();
  let started = 0;
  let excluded = 0;
  return {
    points,
    start() {
      started = performance.now();
      excluded = 0;
    },
    at(turn) {
      if (!wanted.has(turn)) return;
      const before = performance.now();
      points.set(turn, { logicalBytes: read.logical(), diskBytes: read.disk(), elapsedMs: before - started - excluded });
      excluded += performance.now() - before;
    },
    stop: () => performance.now() - started - excluded,
  };
}

/** Per-turn change of `field` over the window (k/10, k]. */
export function perTurn(points: Map<number, TurnPoint>, k: number, field: keyof TurnPoint): number {
  const from = windowStart(k);
  const a = points.get(from);
  const b = points.get(k);
  if (!a || !b || k === from) return Number.NaN;
  return (b[field] - a[field]) / (k - from);
}
