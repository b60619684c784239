/**
 * One drive of a run: replay the journal through the workflow function, execute what is not
 * recorded, and end in one of: completed, failed, cancelled, paused, or stopped (this runtime lost
 * the run to another resumer, or cannot continue). The caller has already taken the lease.
 *
 * The driver assembles the drive's parts and hands the workflow context a narrow scope:
 *   control (drive-control) · writer (journal-writer → commit queue → store) · lease (lease-keeper)
 * and, when the workflow settles or the control says stop, ends the run through `run-end`.
 *
 * Invariants:
 * - the journal is read once, before the workflow starts; replay does no I/O;
 * - nothing is written after the drive learns it lost the run (the commit queue refuses);
 * - every way a drive ends goes through `run-end`.
 */
import { decode } from '../../codec.ts';
import type { DurableStore, JournalEntry, NewEntry, RunRecord } from '../../storage/types.ts';
import type { Clock } from '../clock.ts';
import { createCommitQueue, type RunCursor } from '../commit-queue.ts';
import { createCallCounter, noteReplayEnd, unconsumedCalls } from '../context/calls.ts';
import type { Control, DriveScope, UsageTally } from '../context/drive-scope.ts';
import { buildReplayState } from '../context/replay-state.ts';
import { createWorkflowContext } from '../context/workflow-context.ts';
import type { RunEvent } from '../events.ts';
import { runStartEntry } from '../journal-format.ts';
import type { RetryPolicy } from '../retry-policy.ts';
import type { Workflow } from '../workflow.ts';
import { createDriveControl } from './drive-control.ts';
import { createDriveJournal } from './journal-writer.ts';
import { createLeaseKeeper } from './lease-keeper.ts';
import { cancelRun, completeRun, type DriveOutcome, failRun, pauseRun, type RunEndScope, stopDrive } from './run-end.ts';

export type { DriveOutcome } from './run-end.ts';

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
  /** When the CAS that took the lease was sent (the lease counts from then). */
  takenAt: number;
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

/** Start driving a run. */
export function startDrive(driveOptions: DriveOptions): Drive {
  // The journal is read once into the replay state and not kept: closures below hold `options`,
  // which has no `entries`, so the loaded entries can be collected as soon as replay is built.
  const { entries, ...options } = driveOptions;
  const { store, clock, record, workflow } = options;
  const runId = record.runId;
  const cursor: RunCursor = { runId, lastSeq: record.lastSeq, version: record.version };
  const control = createDriveControl(runId, clock);
  const replay = buildReplayState(entries);
  const journalWasEmpty = entries.length === 0;
  const queue = createCommitQueue({ store, cursor, clock });
  const journal = createDriveJournal({ runId, queue, control, replay, record, emit: options.emit });
  const lease = createLeaseKeeper({
    runId,
    store,
    clock,
    owner: options.owner,
    leaseMs: options.leaseMs,
    takenAt: options.takenAt,
    cursor,
    control,
  });
  const usage: UsageTally = {
    totals: { inputTokens: 0, outputTokens: 0, totalTokens: 0, savedTokens: record.usage.savedTokens, modelCalls: 0 },
    savedThisDrive: 0,
  };
  const scope: DriveScope = {
    runId,
    workflow: workflow.name,
    clock,
    random: options.random,
    retry: options.retry,
    maxPayloadBytes: store.limits.maxPayloadBytes,
    resumed: options.resumed,
    replay,
    control,
    journal,
    usage,
    emit: options.emit,
    ensureLease: lease.ensure,
  };
  const calls = createCallCounter();
  const ending: RunEndScope = {
    runId,
    store,
    clock,
    owner: options.owner,
    leaseMs: options.leaseMs,
    cursor,
    queue,
    journal,
    control,
    usage: () => ({ ...usage.totals }),
    emit: options.emit,
  };

  async function drive(): Promise<DriveOutcome> {
    const context = createWorkflowContext(scope, calls);
    if (options.resumed)
      options.emit({ type: 'run-resume', runId, at: clock.now(), workflow: workflow.name, recordedSteps: replay.outcomes.size });
    if (record.cancelRequested) control.cancel('cancel requested');
    lease.start();
    if (journalWasEmpty) {
      // A run whose creator died before its first append: the journal still opens with run-start.
      try {
        await journal.commit([runStartEntry(workflow.name, clock.now())]);
      } catch (error) {
        return { status: 'stopped', reason: 'could not write run-start', error };
      }
    }
    const input = decode(record.input);
    const result = await Promise.race([
      Promise.resolve()
        .then(() => workflow.fn(context, input))
        .then(
          (value) => ({ type: 'return' as const, value }),
          (error: unknown) => ({ type: 'throw' as const, error }),
        ),
      control.settled.then((settled) => ({ type: 'control' as const, control: settled })),
    ]);
    // A workflow that settles on its last replayed call still marks the end of replay.
    noteReplayEnd(scope, calls);
    // Exhaustive replay: returning or throwing with recorded calls left over is non-determinism.
    if (result.type !== 'control' && !control.current) {
      const unconsumed = unconsumedCalls(scope, calls, result.type === 'return' ? 'returned' : 'threw');
      if (unconsumed) control.stop('non-determinism', unconsumed);
    }
    try {
      const stopping: Control | undefined = control.current ?? (result.type === 'control' ? result.control : undefined);
      if (stopping) {
        if (stopping.type === 'suspend') return await pauseRun(ending);
        if (stopping.type === 'cancel') return await cancelRun(ending, stopping.reason);
        return await stopDrive(ending, stopping);
      }
      await queue.idle();
      if (result.type === 'return') return await completeRun(ending, result.value);
      return await failRun(ending, (result as { error: unknown }).error);
    } catch (error) {
      const current = control.current;
      return { status: 'stopped', reason: current?.type === 'stop' ? current.reason : 'storage failed', error };
    }
  }

  const outcome = drive().finally(() => {
    lease.stop();
    // Park whatever workflow code is still running: its ctx calls never settle from now on.
    control.end();
  });

  return {
    runId,
    outcome,
    cancel: (reason) => control.cancel(reason),
    stop: (reason) => control.stop(reason, undefined),
    deliver: (entries) => journal.deliver(entries, { updatedAt: clock.now() }),
  };
}
