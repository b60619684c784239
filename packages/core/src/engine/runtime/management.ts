/**
 * The management read model and its few writes: get, list, history, stats, delete, cleanup — the
 * operations that read a run's header and journal without driving it.
 */
import { InvalidArgumentError, LeaseHeldError, RunNotFoundError } from '../../errors.ts';
import { assertMetadata } from '../../storage/helpers.ts';
import { assertRunId } from '../../storage/run-id.ts';
import type { DurableStore, RunRecord, RunStatus } from '../../storage/types.ts';
import type { Clock } from '../clock.ts';
import { type HistoryItem, pendingApprovals, type RunInfo, toHistory, toRunInfo } from '../run-info.ts';

/** Statuses a run never leaves. */
export const TERMINAL: RunStatus[] = ['completed', 'failed', 'cancelled'];

/** Read a run's header or throw `RunNotFoundError` naming the store. */
export async function requireRun(store: DurableStore, runId: string): Promise<RunRecord> {
  assertRunId(runId);
  const record = await store.getRun(runId);
  if (!record) throw new RunNotFoundError(`[@cairn/core] run "${runId}" not found in store "${store.name}"`, { runId });
  return record;
}

/** A run's info, with its pending approvals when it waits for any. */
export async function getRunInfo(store: DurableStore, runId: string): Promise<RunInfo> {
  const record = await requireRun(store, runId);
  const info = toRunInfo(record);
  if (record.status === 'paused' && record.pauseReason !== 'sleep')
    info.pendingApprovals = pendingApprovals(await store.readEntries(runId));
  return info;
}

/** A page of `history`: the entries after `afterSeq` (default 0), at most `limit` (1–10 000; default all). */
export interface HistoryOptions {
  afterSeq?: number;
  limit?: number;
}

/** A run's journal (or one page of it) as history items. */
export async function getHistory(store: DurableStore, runId: string, options: HistoryOptions = {}): Promise<HistoryItem[]> {
  const { afterSeq, limit } = options;
  if (afterSeq !== undefined && (!Number.isSafeInteger(afterSeq) || afterSeq < 0))
    throw new InvalidArgumentError(`[@cairn/core] history of run "${runId}": afterSeq must be a non-negative integer`, { runId });
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1 || limit > 10_000))
    throw new InvalidArgumentError(`[@cairn/core] history of run "${runId}": limit must be an integer from 1 to 10000`, {
      runId,
    });
  await requireRun(store, runId);
  const page = afterSeq !== undefined || limit !== undefined;
  return toHistory(
    await store.readEntries(
      runId,
      page ? { ...(afterSeq !== undefined ? { afterSeq } : {}), ...(limit !== undefined ? { limit } : {}) } : undefined,
    ),
  );
}

/** What `runtime.list` takes. */
export interface ListQuery {
  status?: RunStatus[];
  workflow?: string;
  /** Only runs whose metadata has every one of these key/value pairs (exact match). */
  metadata?: Record<string, string>;
  limit?: number;
  cursor?: string;
}

function checkMetadataFilter(filter: unknown): Record<string, string> | undefined {
  if (filter === undefined) return undefined;
  try {
    assertMetadata('@cairn/core', '(list)', filter);
  } catch (error) {
    throw new InvalidArgumentError(
      `[@cairn/core] list: metadata filter: ${(error as Error).message.replace(/^.*metadata ?/, '')}`,
      {
        cause: error,
      },
    );
  }
  return filter as Record<string, string>;
}

function matchesMetadata(record: RunRecord, filter: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(filter)) if (record.metadata?.[key] !== value) return false;
  return true;
}

/**
 * A page of runs. A metadata filter is applied here, over the store's pages, asking each time for no
 * more than the matches still missing, so the store's cursor after the last page read is exact.
 */
export async function listRunInfos(store: DurableStore, query: ListQuery): Promise<{ runs: RunInfo[]; cursor?: string }> {
  const { metadata, ...storeQuery } = query ?? {};
  const filter = checkMetadataFilter(metadata);
  if (!filter) {
    const page = await store.listRuns(storeQuery);
    return { runs: page.runs.map(toRunInfo), ...(page.cursor ? { cursor: page.cursor } : {}) };
  }
  const wanted = storeQuery.limit ?? 50;
  const runs: RunInfo[] = [];
  let cursor = storeQuery.cursor;
  do {
    const page = await store.listRuns({ ...storeQuery, limit: wanted - runs.length, ...(cursor ? { cursor } : {}) });
    for (const record of page.runs) if (matchesMetadata(record, filter)) runs.push(toRunInfo(record));
    cursor = page.cursor;
  } while (cursor && runs.length < wanted);
  return { runs, ...(cursor ? { cursor } : {}) };
}

/** Whether a run is driven under a live lease (by anyone). */
export function isLive(record: RunRecord, clock: Clock): boolean {
  return record.status === 'running' && record.lease !== null && record.lease.expiresAt > clock.now();
}

/** Delete one run; refuses a live one unless `force`. `stopLocal` stops this runtime's own drive. */
export async function deleteRun(
  store: DurableStore,
  clock: Clock,
  runId: string,
  options: { force?: boolean; drivenHere: boolean; stopLocal(): void },
): Promise<boolean> {
  assertRunId(runId);
  const record = await store.getRun(runId);
  if (!record) return false;
  if ((isLive(record, clock) || options.drivenHere) && !options.force) {
    throw new LeaseHeldError(
      `[@cairn/core] run "${runId}" is running under a live lease; cancel it first or pass { force: true }`,
      {
        runId,
      },
    );
  }
  options.stopLocal();
  return (await store.deleteRuns({ runIds: [runId] })) > 0;
}

/** How long ended runs are kept, by final status (ms after they ended); absent = kept. */
export type Retention = Partial<Record<'completed' | 'failed' | 'cancelled', number>>;

/** Check a retention setting. */
export function checkRetention(retention: unknown): Retention {
  if (retention === undefined) return {};
  if (typeof retention !== 'object' || retention === null || Array.isArray(retention))
    throw new InvalidArgumentError('[@cairn/core] createRuntime: retention must be an object of ms by final status');
  for (const [status, ms] of Object.entries(retention)) {
    if (!TERMINAL.includes(status as RunStatus))
      throw new InvalidArgumentError(
        `[@cairn/core] createRuntime: retention keys are completed, failed and cancelled, got ${JSON.stringify(status.slice(0, 40))}`,
      );
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0)
      throw new InvalidArgumentError(`[@cairn/core] createRuntime: retention.${status} must be a finite number of ms ≥ 0`);
  }
  return retention as Retention;
}

/** Delete the ended runs whose `expiresAt` has passed (scans the ended runs; never touches a live one). */
export async function deleteExpired(store: DurableStore, now: number): Promise<number> {
  const due: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listRuns({ status: TERMINAL, limit: 500, ...(cursor ? { cursor } : {}) });
    cursor = page.cursor;
    for (const run of page.runs)
      if (run.expiresAt !== null && run.expiresAt !== undefined && run.expiresAt <= now) due.push(run.runId);
  } while (cursor);
  let deleted = 0;
  // The status condition holds at delete time too: a run retried meanwhile is not deleted.
  for (let i = 0; i < due.length; i += 100)
    deleted += await store.deleteRuns({ runIds: due.slice(i, i + 100), status: TERMINAL });
  return deleted;
}

/**
 * When the next ended run becomes deletable by retention (its `expiresAt`, or when it ended plus the
 * retention of its status), or `null` when none will. Scans the ended runs.
 */
export async function nextRetentionAt(store: DurableStore, retention: Retention): Promise<number | null> {
  let next: number | null = null;
  const consider = (at: number): void => {
    if (next === null || at < next) next = at;
  };
  let cursor: string | undefined;
  do {
    const page = await store.listRuns({ status: TERMINAL, limit: 500, ...(cursor ? { cursor } : {}) });
    cursor = page.cursor;
    for (const run of page.runs) {
      if (run.expiresAt !== null && run.expiresAt !== undefined) consider(run.expiresAt);
      const keep = retention[run.status as keyof Retention];
      if (keep !== undefined) consider(run.updatedAt + keep);
    }
  } while (cursor);
  return next;
}

/** Apply retention: per-run `expiresAt`, then the per-status retention (by when the run ended). */
export async function applyRetention(store: DurableStore, clock: Clock, retention: Retention): Promise<number> {
  const now = clock.now();
  let deleted = await deleteExpired(store, now);
  for (const [status, ms] of Object.entries(retention) as Array<[RunStatus, number]>)
    deleted += await store.deleteRuns({ status: [status], updatedBefore: now - ms });
  return deleted;
}

/**
 * `cleanup`: runs of `status` (default: ended ones) last updated more than `olderThanMs` ago, when
 * given, and always the runtime's retention (expired runs, per-status retention).
 */
export async function cleanupRuns(
  store: DurableStore,
  clock: Clock,
  options: { olderThanMs?: number; status?: RunStatus[] } | undefined,
  retention: Retention,
): Promise<number> {
  const olderThanMs = options?.olderThanMs;
  if (olderThanMs !== undefined && (typeof olderThanMs !== 'number' || !Number.isFinite(olderThanMs) || olderThanMs < 0))
    throw new InvalidArgumentError('[@cairn/core] cleanup: olderThanMs must be a finite number ≥ 0');
  let deleted = 0;
  if (olderThanMs !== undefined)
    deleted += await store.deleteRuns({ updatedBefore: clock.now() - olderThanMs, status: options?.status ?? TERMINAL });
  return deleted + (await applyRetention(store, clock, retention));
}
