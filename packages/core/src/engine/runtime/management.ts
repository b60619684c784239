/**
 * The management read model and its few writes: get, list, history, stats, delete, cleanup — the
 * operations that read a run's header and journal without driving it.
 */
import { InvalidArgumentError, LeaseHeldError, RunNotFoundError } from '../../errors.ts';
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

/** A run's journal as history items. */
export async function getHistory(store: DurableStore, runId: string): Promise<HistoryItem[]> {
  await requireRun(store, runId);
  return toHistory(await store.readEntries(runId));
}

/** A page of runs. */
export async function listRunInfos(
  store: DurableStore,
  query: { status?: RunStatus[]; workflow?: string; limit?: number; cursor?: string },
): Promise<{ runs: RunInfo[]; cursor?: string }> {
  const page = await store.listRuns(query);
  return { runs: page.runs.map(toRunInfo), ...(page.cursor ? { cursor: page.cursor } : {}) };
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

/** Delete runs last updated more than `olderThanMs` ago (default: terminal statuses). */
export async function cleanupRuns(
  store: DurableStore,
  clock: Clock,
  options: { olderThanMs: number; status?: RunStatus[] },
): Promise<number> {
  const olderThanMs = options?.olderThanMs;
  if (typeof olderThanMs !== 'number' || !Number.isFinite(olderThanMs) || olderThanMs < 0)
    throw new InvalidArgumentError('[@cairn/core] cleanup: olderThanMs must be a finite number ≥ 0');
  return store.deleteRuns({ updatedBefore: clock.now() - olderThanMs, status: options.status ?? TERMINAL });
}
