/**
 * What the run host's alarm asks the tables: which runs are due now, and when the next one will be.
 * Answered with synchronous SQL, so the host can compute the next alarm and set it with nothing
 * interleaving (a run that pauses between the two would otherwise be missed).
 *
 * - A paused run is due at its `wake_at` (sleeps, signal and approval timeouts; the partial index).
 * - A running run is due when its lease expires: its driver died (reset, eviction, deploy).
 * - Only runs of the host's workflows count, so a run nobody here can drive never keeps it firing.
 */
import type { TableNames } from './schema.ts';
import type { SqlExecutor } from './sql-storage.ts';
import { RUN_SLOTS, readText } from './text-slots.ts';

/** The due-time queries of one store, for the workflows a host runs. */
export interface WakeQueries {
  /** Ids of runs due at `now`: running with an expired (or no) lease, paused with `wake_at` ≤ now. */
  due(now: number, limit: number): string[];
  /** The earliest time a run becomes due (may be ≤ now), or `null` when none ever will by itself. */
  next(): number | null;
}

interface RunningRow extends Record<string, string | number | null> {
  run_id: string;
  header: string | null;
  header_parts: number;
}

/** Queries over `tables` restricted to runs of `workflows`. */
export function createWakeQueries(sql: SqlExecutor, tables: TableNames, workflows: readonly string[]): WakeQueries {
  // One JSON text binding, whatever the number of workflows (the platform allows 100 bindings).
  const names = JSON.stringify(workflows);
  const mine = `workflow IN (SELECT value FROM json_each(?))`;

  /** Lease expiry of every running run (`null` when it has no lease: due at once). */
  function leases(): Array<{ runId: string; expiresAt: number | null }> {
    const rows = sql
      .exec<RunningRow>(`SELECT run_id, header, header_parts FROM ${tables.runs} WHERE status = 'running' AND ${mine}`, names)
      .toArray();
    return rows.map((row) => ({ runId: row.run_id, expiresAt: leaseExpiry(row) }));
  }

  /** The lease expiry in a run's header. An unreadable header counts as no lease: the run is then
   * due, its resume fails with the store's `CorruptJournalError`, and the host reports it and backs off. */
  function leaseExpiry(row: RunningRow): number | null {
    try {
      const header = readText(sql, tables, row.run_id, RUN_SLOTS.header, { value: row.header, parts: row.header_parts });
      const lease = (JSON.parse(header ?? '{}') as { lease?: { expiresAt?: unknown } | null }).lease;
      return typeof lease?.expiresAt === 'number' ? lease.expiresAt : null;
    } catch {
      return null;
    }
  }

  return {
    due(now, limit) {
      const running = leases()
        .filter((run) => run.expiresAt === null || run.expiresAt <= now)
        .map((run) => run.runId);
      const room = Math.max(0, limit - running.length);
      const sleeping = sql
        .exec<{ run_id: string }>(
          `SELECT run_id FROM ${tables.runs} WHERE wake_at IS NOT NULL AND wake_at <= ? AND status = 'paused' AND ${mine}
           ORDER BY wake_at LIMIT ?`,
          now,
          names,
          room,
        )
        .toArray()
        .map((row) => row.run_id);
      return [...running.slice(0, limit), ...sleeping];
    },
    next() {
      const { wake } = sql
        .exec<{ wake: number | null }>(
          `SELECT min(wake_at) AS wake FROM ${tables.runs} WHERE wake_at IS NOT NULL AND status = 'paused' AND ${mine}`,
          names,
        )
        .one();
      let next = wake;
      for (const run of leases()) {
        // A running run without a lease has been due since it lost it: 0 is earlier than any due time.
        const at = run.expiresAt ?? 0;
        if (next === null || at < next) next = at;
      }
      return next;
    },
  };
}
