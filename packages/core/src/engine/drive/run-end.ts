/**
 * The one writer of how a run ends or pauses: `run-end` (completed, failed, cancelled — driven or
 * not), the paused header, and the failed-without-run-end mark of a non-determinism.
 *
 * Invariants:
 * - nothing may follow `run-end`: after it the drive's queue refuses every commit;
 * - a `run-end` always fits the store: an output too large to journal fails the run instead, and
 *   errors are shrunk until they fit;
 * - a pause is written only by CAS on `version` while this owner holds the lease, and is followed by
 *   a re-read so a signal that raced with the pause is never left unseen;
 * - a non-determinism marks the run failed without `run-end`, so `resume` can go on after a fix.
 */
import { encode, type SerializedError } from '../../codec.ts';
import { CairnError, RunCancelledError } from '../../errors.ts';
import type { DurableStore, PauseReason, RunPatch, RunRecord, RunUsage } from '../../storage/types.ts';
import type { Clock } from '../clock.ts';
import type { CommitQueue, RunCursor } from '../commit-queue.ts';
import type { Control } from '../context/drive-scope.ts';
import type { ErrorSummary, RunEvent } from '../events.ts';
import { EXTERNAL_KINDS, runCompletedEntry, runEndErrorEntry } from '../journal-format.ts';
import type { DriveControlHandle } from './drive-control.ts';
import type { DriveJournal } from './journal-writer.ts';

/** How a drive ended. */
export type DriveOutcome =
  | { status: 'completed'; output: unknown; record: RunRecord }
  | { status: 'failed'; error: ErrorSummary; record: RunRecord }
  | { status: 'cancelled'; record: RunRecord }
  | { status: 'paused'; reason: PauseReason; wakeAt: number | null; record: RunRecord; recheck: boolean }
  | { status: 'stopped'; reason: string; error: unknown };

/** What ending a drive needs. */
export interface RunEndScope {
  runId: string;
  store: DurableStore;
  clock: Clock;
  owner: string;
  leaseMs: number;
  cursor: RunCursor;
  queue: CommitQueue;
  journal: DriveJournal;
  control: DriveControlHandle;
  usage(): RunUsage;
  emit(event: RunEvent): void;
}

const PAUSE_PRIORITY: PauseReason[] = ['budget', 'manual', 'approval', 'event', 'sleep'];

function endPatch(scope: RunEndScope, extra: Partial<RunPatch>): RunPatch {
  return { updatedAt: scope.clock.now(), lease: null, pauseReason: null, wakeAt: null, usage: scope.usage(), ...extra };
}

async function finish(
  scope: RunEndScope,
  entry: Parameters<CommitQueue['commit']>[0][number],
  patch: RunPatch,
): Promise<RunRecord> {
  const { record } = await scope.journal.commit([entry], patch);
  // Nothing may follow run-end: a step the workflow did not await is dropped, not appended.
  scope.queue.close(new RunCancelledError(`[@cairn/core] run "${scope.runId}" has ended`, { runId: scope.runId }));
  return record;
}

/** End the run `completed` with `output` (or `failed`, if the output cannot be journaled). */
export async function completeRun(scope: RunEndScope, output: unknown): Promise<DriveOutcome> {
  const { runId, store, clock } = scope;
  const now = clock.now();
  let entry: ReturnType<typeof runCompletedEntry>;
  let header: string;
  try {
    const context = { runId, what: 'workflow output', maxBytes: store.limits.maxPayloadBytes };
    entry = runCompletedEntry(output, context, now);
    header = encode(output, context);
  } catch (error) {
    return failRun(scope, error);
  }
  const record = await finish(scope, entry, endPatch(scope, { status: 'completed', output: header }));
  scope.emit({ type: 'run-end', runId, at: now, status: 'completed', usage: record.usage });
  return { status: 'completed', output, record };
}

/** End the run `failed` with `error`. */
export async function failRun(scope: RunEndScope, error: unknown): Promise<DriveOutcome> {
  const { runId, clock } = scope;
  const now = clock.now();
  const ending = runEndErrorEntry('failed', error, scope.store.limits.maxPayloadBytes, now);
  const record = await finish(
    scope,
    ending.entry,
    endPatch(scope, { status: 'failed', error: errorHeader(runId, ending.error) }),
  );
  scope.emit({ type: 'run-end', runId, at: now, status: 'failed', usage: record.usage, error: ending.error });
  return { status: 'failed', error: ending.error, record };
}

/** Cancel: abort the running step, let work settle (up to the lease), then end `cancelled`. */
export async function cancelRun(scope: RunEndScope, reason: string): Promise<DriveOutcome> {
  const { runId, clock } = scope;
  await scope.control.workDone(scope.leaseMs);
  await scope.queue.idle();
  const now = clock.now();
  const ending = cancelledEnding(runId, reason, scope.store.limits.maxPayloadBytes, now);
  const record = await finish(scope, ending.entry, endPatch(scope, { ...ending.patch, cancelRequested: false }));
  scope.emit({ type: 'run-end', runId, at: now, status: 'cancelled', usage: record.usage, error: ending.error });
  return { status: 'cancelled', record };
}

function errorHeader(runId: string, error: SerializedError): string {
  return encode(error, { runId, what: 'error' });
}

function cancelledEnding(runId: string, reason: string, maxBytes: number, now: number) {
  const cancelled = new RunCancelledError(`[@cairn/core] run "${runId}" was cancelled: ${reason}`, { runId });
  const ending = runEndErrorEntry('cancelled', cancelled, maxBytes, now);
  const patch: RunPatch = {
    updatedAt: now,
    status: 'cancelled',
    pauseReason: null,
    wakeAt: null,
    lease: null,
    error: errorHeader(runId, ending.error),
  };
  return { ...ending, patch };
}

/**
 * Cancel a run nobody drives: one CAS append of its `run-end`. Returns the error recorded, or
 * `undefined` when the append lost a race (the caller re-reads and tries again).
 */
export async function cancelUndriven(
  store: DurableStore,
  record: RunRecord,
  reason: string,
  now: number,
): Promise<SerializedError | undefined> {
  const ending = cancelledEnding(record.runId, reason, store.limits.maxPayloadBytes, now);
  try {
    await store.append(record.runId, record.lastSeq, [ending.entry], ending.patch);
    return ending.error;
  } catch (error) {
    if (CairnError.is(error, 'storage-conflict')) return undefined;
    throw error;
  }
}

/** Pause the run on its blocked waits: CAS on version while we hold the lease, then re-read. */
export async function pauseRun(scope: RunEndScope): Promise<DriveOutcome> {
  const { runId, store, clock, cursor, owner } = scope;
  await scope.queue.idle();
  const waits = [...scope.control.blocked.values()];
  const reason = PAUSE_PRIORITY.find((r) => waits.some((w) => w.reason === r)) ?? 'manual';
  const times = waits.map((w) => w.wakeAt).filter((t): t is number => t !== null);
  const wakeAt = times.length > 0 ? Math.min(...times) : null;
  const patch: RunPatch = {
    updatedAt: clock.now(),
    status: 'paused',
    pauseReason: reason,
    wakeAt,
    lease: null,
    usage: scope.usage(),
  };
  let next: RunRecord | undefined;
  for (let tries = 0; tries < 10 && !next; tries++) {
    try {
      next = await store.updateRun(runId, cursor.version, patch);
    } catch (error) {
      if (!CairnError.is(error, 'storage-conflict')) throw error;
      const current = await store.getRun(runId);
      if (!current || current.lease?.owner !== owner) return { status: 'stopped', reason: 'lease lost before pausing', error };
      cursor.version = current.version;
      if (current.cancelRequested) return cancelRun(scope, 'cancel requested');
    }
  }
  if (!next) return { status: 'stopped', reason: 'could not write the pause', error: undefined };
  // Anything appended since our last append (a signal racing with the pause) means: look again.
  const newer = await store.readEntries(runId, { afterSeq: cursor.lastSeq });
  const recheck = newer.some((entry) => EXTERNAL_KINDS.has(entry.kind));
  scope.emit({ type: 'run-pause', runId, at: clock.now(), reason, wakeAt });
  return { status: 'paused', reason, wakeAt, record: next, recheck };
}

/** Stop without ending the run: a lost lease, or a non-determinism (marked failed, no run-end). */
export async function stopDrive(scope: RunEndScope, control: Extract<Control, { type: 'stop' }>): Promise<DriveOutcome> {
  const { runId, store, clock, cursor } = scope;
  scope.queue.close(control.error ?? new Error(control.reason));
  // The code or the journal is wrong: the run shows failed with the reason, but no run-end is
  // journaled, so it resumes once the code (or the journal) is fixed.
  if (control.reason === 'non-determinism' || control.reason === 'corrupt journal') {
    const ending = runEndErrorEntry('failed', control.error, store.limits.maxPayloadBytes, clock.now());
    await store
      .updateRun(runId, cursor.version, endPatch(scope, { status: 'failed', error: errorHeader(runId, ending.error) }))
      .catch(() => undefined);
    scope.emit({ type: 'run-end', runId, at: clock.now(), status: 'failed', usage: scope.usage(), error: ending.error });
  } else {
    scope.emit({ type: 'lease-lost', runId, at: clock.now(), reason: control.reason });
  }
  return { status: 'stopped', reason: control.reason, error: control.error };
}
