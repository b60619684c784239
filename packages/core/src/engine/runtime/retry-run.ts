/**
 * Retrying a failed run in place (`runtime.retry`, the seeds' `continue_run_async(run_id=…)`): one
 * CAS append of a `run-retry` entry — who, why, when, which attempt — with the header back to
 * `running` under this owner's lease. The run id stays; replay answers every completed step from the
 * journal and runs each failed step again (a `once` step with its first idempotency key).
 *
 * Invariants:
 * - only a `failed` run is retried; a cancelled, completed, running or paused one is refused with
 *   `RunNotRetryableError` naming the run and its status;
 * - the append is fenced by CAS on `lastSeq`: of two retries (or a retry and a cancel) at the same
 *   instant exactly one wins; the loser gets `LeaseHeldError`;
 * - a run that failed on non-determinism (no `run-end`) is retried the same way, so the retry is on
 *   record there too.
 */
import { CairnError, InvalidArgumentError, LeaseHeldError, RunNotRetryableError } from '../../errors.ts';
import type { DurableStore, JournalEntry, RunRecord } from '../../storage/types.ts';
import type { Clock } from '../clock.ts';
import { runRetryEntry } from '../journal-format.ts';

/** Who retries and why (recorded in the journal). */
export interface RetryOptions {
  /** Who asked (a user id, `cli`, `serve`…); default `api`. At most 200 characters. */
  by?: string;
  /** Why; at most 1000 characters. */
  reason?: string;
}

/** Check `retry`'s options; returns the `by` to record. */
export function checkRetryOptions(runId: string, options: RetryOptions | undefined): { by: string; reason?: string } {
  const by = options?.by ?? 'api';
  if (typeof by !== 'string' || by.length === 0 || by.length > 200)
    throw new InvalidArgumentError(`[@cairn/core] retry of run "${runId}": by must be a string of 1-200 characters`, { runId });
  const reason = options?.reason;
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > 1000))
    throw new InvalidArgumentError(`[@cairn/core] retry of run "${runId}": reason must be a string of at most 1000 characters`, {
      runId,
    });
  return reason === undefined ? { by } : { by, reason };
}

/** Refuse anything but a failed run, naming its status. */
export function assertRetryable(record: RunRecord): void {
  if (record.status === 'failed') return;
  const why =
    record.status === 'cancelled'
      ? 'it was cancelled (a cancelled run is final; fork it to start again)'
      : record.status === 'completed'
        ? 'it completed'
        : `it is ${record.status}, not failed (resume continues it)`;
  throw new RunNotRetryableError(`[@cairn/core] run "${record.runId}" cannot be retried: ${why}`, { runId: record.runId });
}

/** Append the retry record and take the run; returns the header and journal to drive. */
export async function appendRetry(
  store: DurableStore,
  record: RunRecord,
  options: { owner: string; leaseMs: number; clock: Clock; by: string; reason?: string },
): Promise<{ record: RunRecord; entries: JournalEntry[]; takenAt: number; attempt: number }> {
  assertRetryable(record);
  const { runId } = record;
  const entries = await store.readEntries(runId);
  // The header counts the attempts (every retry writes it with its `run-retry`).
  const attempt = (record.attempt ?? 1) + 1;
  const now = options.clock.now();
  const retry = runRetryEntry(
    { by: options.by, at: now, attempt, ...(options.reason !== undefined ? { reason: options.reason } : {}) },
    now,
  );
  let taken: RunRecord;
  try {
    taken = await store.append(runId, record.lastSeq, [retry], {
      updatedAt: now,
      status: 'running',
      pauseReason: null,
      wakeAt: null,
      error: null,
      output: null,
      cancelRequested: false,
      attempt,
      lease: { owner: options.owner, expiresAt: now + options.leaseMs },
    });
  } catch (error) {
    if (CairnError.is(error, 'storage-conflict'))
      throw new LeaseHeldError(`[@cairn/core] run "${runId}" changed while it was being retried (another retry was first)`, {
        cause: error,
        runId,
      });
    throw error;
  }
  return { record: taken, entries: [...entries, { ...retry, seq: taken.lastSeq }], takenAt: now, attempt };
}

/** Which failed runs `retryAll` retries. */
export interface RetryAllQuery extends RetryOptions {
  workflow?: string;
  /** Only runs that failed at or after this time (ms since the epoch). */
  failedAfter?: number;
  /** At most this many runs (default: all). */
  limit?: number;
}

/** Retry every failed run matching `query` (of workflows this runtime has); losses to a racing retry are not failures. */
export async function retryFailed(options: {
  store: DurableStore;
  query: RetryAllQuery;
  hasWorkflow(name: string): boolean;
  retry(runId: string, options: RetryOptions): Promise<unknown>;
}): Promise<{ retried: string[]; failed: Array<{ runId: string; error: unknown }> }> {
  const { store, query } = options;
  const { workflow, failedAfter, limit } = query ?? {};
  if (failedAfter !== undefined && (typeof failedAfter !== 'number' || !Number.isFinite(failedAfter)))
    throw new InvalidArgumentError('[@cairn/core] retryAll: failedAfter must be a finite time in ms');
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1))
    throw new InvalidArgumentError('[@cairn/core] retryAll: limit must be an integer ≥ 1');
  if (workflow !== undefined && typeof workflow !== 'string')
    throw new InvalidArgumentError('[@cairn/core] retryAll: workflow must be a string');
  const who: RetryOptions = { by: query?.by ?? 'retryAll', ...(query?.reason !== undefined ? { reason: query.reason } : {}) };
  // Collect first, then retry: a retried run leaves the `failed` listing, which would move the pages.
  const due: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listRuns({
      status: ['failed'],
      ...(workflow !== undefined ? { workflow } : {}),
      limit: 500,
      ...(cursor ? { cursor } : {}),
    });
    cursor = page.cursor;
    for (const run of page.runs) {
      if (!options.hasWorkflow(run.workflow)) continue;
      if (failedAfter !== undefined && run.updatedAt < failedAfter) continue;
      due.push(run.runId);
      if (limit !== undefined && due.length >= limit) break;
    }
    if (limit !== undefined && due.length >= limit) break;
  } while (cursor);
  const retried: string[] = [];
  const failed: Array<{ runId: string; error: unknown }> = [];
  for (const runId of due) {
    try {
      await options.retry(runId, who);
      retried.push(runId);
    } catch (error) {
      if (!CairnError.is(error, 'lease-held') && !CairnError.is(error, 'run-not-retryable')) failed.push({ runId, error });
    }
  }
  return { retried, failed };
}
