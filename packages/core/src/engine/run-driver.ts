/**
 * One drive of a run: replay the journal through the workflow function, execute what is not
 * recorded, and end in one of: completed, failed, cancelled, paused, or stopped (this runtime lost
 * the run to another resumer, or cannot continue). The caller has already taken the lease.
 *
 * Invariants:
 * - the journal is read once, before the workflow starts; replay does no I/O;
 * - nothing is written after the drive learns it lost the run (the commit queue refuses);
 * - the lease is renewed every leaseMs/3 by CAS on `version`; a renewal that finds another owner
 *   stops the drive, one that finds `cancelRequested` cancels it;
 * - a pause is written only when no step is running and at least one wait is blocked, and is
 *   followed by a re-read so a signal that raced with the pause is never left unseen.
 */
import { decode, encode, serializeError } from '../codec.ts';
import { CairnError, RunCancelledError } from '../errors.ts';
import type { DurableStore, JournalEntry, NewEntry, PauseReason, RunPatch, RunRecord } from '../storage/types.ts';
import type { Clock, TimerHandle } from './clock.ts';
import { createCommitQueue, type RunCursor } from './commit-queue.ts';
import type { Control, DriverState } from './driver-state.ts';
import type { ErrorSummary, RunEvent } from './events.ts';
import { encodeMeta, encodePayload } from './journal-format.ts';
import { addEntries, buildReplayState, EXTERNAL_KINDS } from './replay-state.ts';
import type { RetryPolicy } from './retry-policy.ts';
import type { Workflow } from './workflow.ts';
import { createWorkflowContext } from './workflow-context.ts';

/** How a drive ended. */
export type DriveOutcome =
  | { status: 'completed'; output: unknown; record: RunRecord }
  | { status: 'failed'; error: ErrorSummary; record: RunRecord }
  | { status: 'cancelled'; record: RunRecord }
  | { status: 'paused'; reason: PauseReason; wakeAt: number | null; record: RunRecord; recheck: boolean }
  | { status: 'stopped'; reason: string; error: unknown };

/** What a drive needs. */
export interface DriveOptions {
  store: DurableStore;
  clock: Clock;
  owner: string;
  leaseMs: number;
  retry: RetryPolicy;
  random: () => number;
  emit: (event: RunEvent) => void;
  workflow: Workflow;
  /** The header with our lease on it. */
  record: RunRecord;
  entries: JournalEntry[];
  resumed: boolean;
}

/** A drive in progress. */
export interface Drive {
  readonly runId: string;
  readonly outcome: Promise<DriveOutcome>;
  /** Cancel at the next step boundary (the running step's signal aborts now). */
  cancel(reason: string): void;
  /** Stop driving without writing anything more (runtime closing). */
  stop(reason: string): void;
  /** Append external entries (signal, decision) through this drive's queue, and wake waits. */
  deliver(entries: NewEntry[]): Promise<void>;
}

const PAUSE_PRIORITY: PauseReason[] = ['budget', 'manual', 'approval', 'event', 'sleep'];

/** Start driving a run. */
export function startDrive(options: DriveOptions): Drive {
  const { store, clock, record } = options;
  const runId = record.runId;
  const cursor: RunCursor = { runId, lastSeq: record.lastSeq, version: record.version };
  let resolveControl!: (control: Control) => void;
  const controlPromise = new Promise<Control>((resolve) => {
    resolveControl = resolve;
  });
  let quiescenceScheduled = false;
  let replayEndSent = false;

  const state: DriverState = {
    runId,
    workflow: options.workflow.name,
    store,
    clock,
    owner: options.owner,
    retry: options.retry,
    random: options.random,
    cursor,
    queue: undefined as never,
    replay: buildReplayState(options.entries),
    abort: new AbortController(),
    emit: options.emit,
    record,
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, savedTokens: record.usage.savedTokens, modelCalls: 0 },
    savedThisDrive: 0,
    replayEnd() {
      if (replayEndSent || !options.resumed) return;
      replayEndSent = true;
      state.emit({
        type: 'replay-end',
        runId,
        at: clock.now(),
        replayedSteps: state.replayedSteps,
        savedTokens: state.savedThisDrive,
      });
    },
    replayedSteps: 0,
    nextCallIndex: 0,
    nameCounters: new Map(),
    pendingOps: 0,
    blocked: new Map(),
    control: undefined,
    signalControl(control) {
      if (state.control) return;
      state.control = control;
      if (control.type !== 'suspend') state.abort.abort(new RunCancelledError(`[@cairn/core] run "${runId}": ${control.reason}`));
      resolveControl(control);
    },
    checkQuiescence() {
      if (quiescenceScheduled || state.control || state.pendingOps > 0 || state.blocked.size === 0) return;
      quiescenceScheduled = true;
      // A macrotask later, so workflow code between awaits has run and issued its next calls.
      setTimeout(() => {
        quiescenceScheduled = false;
        if (!state.control && state.pendingOps === 0 && state.blocked.size > 0) state.signalControl({ type: 'suspend' });
      }, 0);
    },
  };

  function absorb(entries: JournalEntry[]): void {
    addEntries(state.replay, entries);
    for (const entry of entries) {
      if (entry.kind === 'signal-receive') state.emit({ type: 'signal-receive', runId, at: clock.now(), name: entry.key });
    }
    for (const wait of [...state.blocked.values()]) wait.poll();
  }

  (state as { queue: DriverState['queue'] }).queue = createCommitQueue({
    store,
    cursor,
    clock,
    onExternal: absorb,
    onRecord(next) {
      state.record = next;
      if (next.cancelRequested) state.signalControl({ type: 'cancel', reason: 'cancel requested' });
    },
    onSuperseded(error) {
      state.signalControl({
        type: 'stop',
        reason: CairnError.is(error, 'storage-conflict') ? 'another resumer took over the run' : 'storage failed',
        error,
      });
    },
  });

  // Lease renewal: CAS on version. Losing it to another owner stops the drive.
  let leaseTimer: TimerHandle | undefined;
  const renewEvery = Math.max(10, Math.floor(options.leaseMs / 3));
  async function renew(): Promise<void> {
    if (state.control && state.control.type !== 'suspend') return;
    for (let tries = 0; tries < 5; tries++) {
      try {
        const next = await store.updateRun(runId, cursor.version, {
          updatedAt: clock.now(),
          lease: { owner: options.owner, expiresAt: clock.now() + options.leaseMs },
        });
        cursor.version = next.version;
        state.record = next;
        if (next.cancelRequested) state.signalControl({ type: 'cancel', reason: 'cancel requested' });
        return;
      } catch (error) {
        if (!CairnError.is(error, 'storage-conflict')) {
          if (CairnError.is(error, 'storage-unavailable') && error.retryable) continue;
          return; // a failed renewal is not fatal: appends stay fenced by CAS on lastSeq
        }
        const current = await store.getRun(runId).catch(() => null);
        if (!current || current.lease?.owner !== options.owner) {
          state.signalControl({ type: 'stop', reason: 'lease lost to another owner', error });
          return;
        }
        cursor.version = current.version;
        if (current.cancelRequested) state.signalControl({ type: 'cancel', reason: 'cancel requested' });
      }
    }
  }
  const armLease = (): void => {
    leaseTimer = clock.setTimer(renewEvery, () => {
      void renew().finally(() => {
        if (!state.control || state.control.type === 'suspend') armLease();
      });
    });
  };

  function persistedUsage() {
    return { ...state.usage };
  }

  function endPatch(extra: Partial<RunPatch>): RunPatch {
    return { updatedAt: clock.now(), lease: null, pauseReason: null, wakeAt: null, usage: persistedUsage(), ...extra };
  }

  async function settleWork(limitMs: number): Promise<void> {
    const until = clock.now() + limitMs;
    while (state.pendingOps > 0 && clock.now() < until) await new Promise<void>((r) => setTimeout(r, 5));
    await state.queue.idle();
  }

  async function finish(entry: NewEntry, patch: RunPatch): Promise<RunRecord> {
    const { record: next } = await state.queue.commit([entry], patch);
    // Nothing may follow run-end: a step the workflow did not await is dropped, not appended.
    state.queue.close(new RunCancelledError(`[@cairn/core] run "${runId}" has ended`));
    return next;
  }

  async function pause(): Promise<DriveOutcome> {
    await state.queue.idle();
    const waits = [...state.blocked.values()];
    const reason = PAUSE_PRIORITY.find((r) => waits.some((w) => w.reason === r)) ?? 'manual';
    const times = waits.map((w) => w.wakeAt).filter((t): t is number => t !== null);
    const wakeAt = times.length > 0 ? Math.min(...times) : null;
    const patch: RunPatch = {
      updatedAt: clock.now(),
      status: 'paused',
      pauseReason: reason,
      wakeAt,
      lease: null,
      usage: persistedUsage(),
    };
    let next: RunRecord | undefined;
    for (let tries = 0; tries < 10 && !next; tries++) {
      try {
        next = await store.updateRun(runId, cursor.version, patch);
      } catch (error) {
        if (!CairnError.is(error, 'storage-conflict')) throw error;
        const current = await store.getRun(runId);
        if (!current || current.lease?.owner !== options.owner)
          return { status: 'stopped', reason: 'lease lost before pausing', error };
        cursor.version = current.version;
        if (current.cancelRequested) return cancel('cancel requested');
      }
    }
    if (!next) return { status: 'stopped', reason: 'could not write the pause', error: undefined };
    // Anything appended since our last append (a signal racing with the pause) means: look again.
    const newer = await store.readEntries(runId, { afterSeq: cursor.lastSeq });
    const recheck = newer.some((entry) => EXTERNAL_KINDS.has(entry.kind));
    state.emit({ type: 'run-pause', runId, at: clock.now(), reason, wakeAt });
    return { status: 'paused', reason, wakeAt, record: next, recheck };
  }

  async function cancel(reason: string): Promise<DriveOutcome> {
    state.abort.abort(new RunCancelledError(`[@cairn/core] run "${runId}": ${reason}`));
    await settleWork(options.leaseMs);
    const error = serializeError(new RunCancelledError(`[@cairn/core] run "${runId}" was cancelled: ${reason}`));
    const now = clock.now();
    const next = await finish(
      { kind: 'run-end', key: 'run', payload: encodeMeta({ status: 'cancelled', e: error }), createdAt: now },
      endPatch({ status: 'cancelled', error: encode(error, { runId, what: 'error' }), cancelRequested: false }),
    );
    state.emit({ type: 'run-end', runId, at: now, status: 'cancelled', usage: next.usage, error });
    return { status: 'cancelled', record: next };
  }

  async function drive(): Promise<DriveOutcome> {
    const context = createWorkflowContext(state);
    if (options.resumed)
      state.emit({
        type: 'run-resume',
        runId,
        at: clock.now(),
        workflow: options.workflow.name,
        recordedSteps: state.replay.outcomes.size,
      });
    if (record.cancelRequested) state.signalControl({ type: 'cancel', reason: 'cancel requested' });
    armLease();
    if (options.entries.length === 0) {
      // A run whose creator died before its first append: the journal still opens with run-start.
      const now = clock.now();
      const first = {
        kind: 'run-start' as const,
        key: 'run',
        payload: encodeMeta({ workflow: options.workflow.name }),
        createdAt: now,
      };
      try {
        await state.queue.commit([first]);
      } catch (error) {
        return { status: 'stopped', reason: 'could not write run-start', error };
      }
    }
    const input = decode(record.input);
    const result = await Promise.race([
      Promise.resolve()
        .then(() => options.workflow.fn(context, input))
        .then(
          (value) => ({ type: 'return' as const, value }),
          (error: unknown) => ({ type: 'throw' as const, error }),
        ),
      controlPromise.then((control) => ({ type: 'control' as const, control })),
    ]);
    state.replayEnd();
    try {
      if (result.type === 'control' || state.control) {
        const control = state.control ?? (result as { control: Control }).control;
        if (control.type === 'suspend') return await pause();
        if (control.type === 'cancel') return await cancel(control.reason);
        return await stop(control);
      }
      await state.queue.idle();
      const now = clock.now();
      if (result.type === 'return') {
        let output: string;
        try {
          output = encodePayload({}, result.value, { runId, what: 'workflow output', maxBytes: store.limits.maxPayloadBytes });
        } catch (error) {
          return await fail(error);
        }
        const next = await finish(
          {
            kind: 'run-end',
            key: 'run',
            payload: output === '{}' ? encodeMeta({ status: 'completed' }) : `{"status":"completed",${output.slice(1)}`,
            createdAt: now,
          },
          endPatch({ status: 'completed', output }),
        );
        state.emit({ type: 'run-end', runId, at: now, status: 'completed', usage: next.usage });
        return { status: 'completed', output: result.value, record: next };
      }
      return await fail(result.error);
    } catch (error) {
      return { status: 'stopped', reason: state.control?.type === 'stop' ? state.control.reason : 'storage failed', error };
    }
  }

  async function fail(error: unknown): Promise<DriveOutcome> {
    const serialized = serializeError(error);
    const now = clock.now();
    const next = await finish(
      { kind: 'run-end', key: 'run', payload: encodeMeta({ status: 'failed', e: serialized }), createdAt: now },
      endPatch({ status: 'failed', error: encode(serialized, { runId, what: 'error' }) }),
    );
    state.emit({ type: 'run-end', runId, at: now, status: 'failed', usage: next.usage, error: serialized });
    return { status: 'failed', error: serialized, record: next };
  }

  async function stop(control: Extract<Control, { type: 'stop' }>): Promise<DriveOutcome> {
    state.queue.close(control.error ?? new Error(control.reason));
    if (control.reason === 'non-determinism') {
      // Mark the run failed without a run-end entry: after the code is fixed, `resume` can go on.
      const serialized = serializeError(control.error);
      await store
        .updateRun(runId, cursor.version, endPatch({ status: 'failed', error: encode(serialized, { runId, what: 'error' }) }))
        .catch(() => undefined);
      state.emit({ type: 'run-end', runId, at: clock.now(), status: 'failed', usage: persistedUsage(), error: serialized });
    } else {
      state.emit({ type: 'lease-lost', runId, at: clock.now(), reason: control.reason });
    }
    return { status: 'stopped', reason: control.reason, error: control.error };
  }

  const outcome = drive().finally(() => {
    leaseTimer?.cancel();
    // Park whatever workflow code is still running: its ctx calls never settle from now on.
    if (!state.control) state.control = { type: 'stop', reason: 'drive ended', error: undefined };
    state.abort.abort(new RunCancelledError(`[@cairn/core] run "${runId}": drive ended`));
  });

  return {
    runId,
    outcome,
    cancel(reason) {
      state.signalControl({ type: 'cancel', reason });
    },
    stop(reason) {
      state.signalControl({ type: 'stop', reason, error: undefined });
    },
    async deliver(entries) {
      const { firstSeq } = await state.queue.commit(entries, { updatedAt: clock.now() });
      const journal = entries.map((entry, i) => ({ ...entry, seq: firstSeq + i }));
      absorb(journal);
    },
  };
}
