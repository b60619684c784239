/**
 * Record helpers every adapter shares: one record copy, one way to cut a listing page, one way to
 * count runs by status. Pure: no clock, no I/O.
 */
import { compareListOrder, emptyStats, encodeCursor, isAfter, type ListPosition, matchesList } from '../storage/helpers.ts';
import type { ListRunsQuery, RunRecord, RunStatus, StoreStats } from '../storage/types.ts';
import type { RunPage } from './adapter-kit.ts';

/**
 * A deep copy of `record` holding only the contract's fields, so callers never alias what a store
 * keeps and every store returns the same shape. Runs written before `metadata`, `expiresAt` and
 * `attempt` existed read back as `null`, `null` and `1`. Strings are immutable: large texts are shared.
 */
export function copyRecord(record: RunRecord): RunRecord {
  return {
    runId: record.runId,
    workflow: record.workflow,
    status: record.status,
    pauseReason: record.pauseReason,
    wakeAt: record.wakeAt,
    version: record.version,
    lastSeq: record.lastSeq,
    lease: record.lease && { owner: record.lease.owner, expiresAt: record.lease.expiresAt },
    input: record.input,
    output: record.output,
    error: record.error,
    usage: { ...record.usage },
    step: { index: record.step.index, name: record.step.name },
    cancelRequested: record.cancelRequested,
    forkedFrom: record.forkedFrom && { runId: record.forkedFrom.runId, atSeq: record.forkedFrom.atSeq },
    metadata: record.metadata ? { ...record.metadata } : null,
    expiresAt: record.expiresAt ?? null,
    attempt: record.attempt ?? 1,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

/**
 * A listing page from `rows`, the first `limit + 1` candidates in listing order (one more than a
 * page tells whether another page exists): the first `limit` as records, and the cursor after the
 * last one when there is more.
 */
export function pageOf<Row>(rows: readonly Row[], limit: number, toRecord: (row: Row) => RunRecord): RunPage {
  const runs = rows.slice(0, limit).map(toRecord);
  const last = runs[runs.length - 1];
  return rows.length > limit && last ? { runs, cursor: encodeCursor(last) } : { runs };
}

/**
 * A listing page for a store without indexes: filter `records` by `query` and `position`, sort them
 * in listing order (createdAt, then runId, descending) and cut a page of copies (`copy`, default
 * `copyRecord`).
 */
export function listFrom(
  records: Iterable<RunRecord>,
  query: ListRunsQuery | undefined,
  limit: number,
  position: ListPosition | undefined,
  copy: (record: RunRecord) => RunRecord = copyRecord,
): RunPage {
  const matching: RunRecord[] = [];
  for (const record of records) {
    if (matchesList(record, query) && (!position || isAfter(record, position))) matching.push(record);
  }
  matching.sort(compareListOrder);
  return pageOf(matching, limit, copy);
}

/**
 * `StoreStats` from rows of `{ status, count }` (a GROUP BY) or from runs themselves (`count`
 * absent counts one). Every status is present, at zero when no row names it.
 */
export function statsOf(rows: Iterable<{ readonly status: RunStatus; readonly count?: number }>): StoreStats {
  const stats = emptyStats();
  for (const row of rows) {
    const count = row.count ?? 1;
    stats.byStatus[row.status] += count;
    stats.total += count;
  }
  return stats;
}

/**
 * Where a run's change counter starts when it is created: a random 48-bit integer (exact in a JS
 * number and an int8 column). A handle that keeps what it last saw of a run under its counter can
 * then never mistake a run deleted and created again under the same id for the old one.
 */
export function firstStamp(): number {
  const [high = 0, low = 0] = crypto.getRandomValues(new Uint32Array(2));
  return (high & 0xffff) * 2 ** 32 + low;
}
