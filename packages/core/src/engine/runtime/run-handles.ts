/**
 * Run handles: `result()` and `settled()` of a run, answered from this runtime's drives (a change
 * notification when a drive ends) or, for runs driven elsewhere, by polling the store.
 */
import { decode, deserializeError, type SerializedError } from '../../codec.ts';
import { InvalidArgumentError, RunCancelledError, RunFailedError, RunNotFoundError } from '../../errors.ts';
import { assertRunId } from '../../storage/run-id.ts';
import type { DurableStore } from '../../storage/types.ts';
import type { Clock } from '../clock.ts';
import type { DriveOutcome } from '../drive/run-end.ts';
import { createDurableEventStream, type DurableRunEvent, type EventStreamOptions } from '../durable-events.ts';
import { createEventStream } from '../event-stream.ts';
import type { RunEvent } from '../events.ts';
import { type RunInfo, toRunInfo } from '../run-info.ts';

/** A started or attached run. */
export interface RunHandle<O = unknown> {
  readonly runId: string;
  /** The output once the run completes (waits through pauses); rejects if it fails or is cancelled. */
  result(): Promise<O>;
  /** The run's info as soon as this runtime stops driving it (completed, failed, paused…). */
  settled(): Promise<RunInfo>;
  /** This runtime's live events of the run from now on (replays included), ending after `run-end`. */
  events(): AsyncIterable<RunEvent>;
  /**
   * The run's durable event stream: its journal from `fromSeq` (default 1) as events, each with its
   * `seq`, then followed live wherever the run is driven, ending after `run-end` (ADR 0121).
   */
  events(options: EventStreamOptions): AsyncIterable<DurableRunEvent>;
}

/** Where handles look: the store, this runtime's drives, and how it announces changes. */
export interface RunWatch {
  /** Wake everyone waiting on `runId`. */
  notify(runId: string): void;
  /** Resolve on the next change of `runId`, or after `ms`. */
  waitForChange(runId: string, ms: number): Promise<void>;
  /** Keep the outcome of a run that ended here (so `result()` answers after autoCleanup). */
  remember(runId: string, outcome: DriveOutcome): void;
  /** Wake every waiter (runtime closing). */
  notifyAll(): void;
  handle<O>(runId: string): RunHandle<O>;
}

/** Create the run watch of a runtime. */
export function createRunWatch(options: {
  store: DurableStore;
  clock: Clock;
  pollMs: number;
  listeners: Map<string, Set<(event: RunEvent) => void>>;
  isDriven(runId: string): boolean;
  isClosed(): boolean;
  get(runId: string): Promise<RunInfo>;
}): RunWatch {
  const { store, clock, pollMs } = options;
  const changeWaiters = new Map<string, Set<() => void>>();
  const ended = new Map<string, DriveOutcome>();

  function notify(runId: string): void {
    const waiters = changeWaiters.get(runId);
    changeWaiters.delete(runId);
    for (const waiter of waiters ?? []) waiter();
  }

  function waitForChange(runId: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const set = changeWaiters.get(runId) ?? new Set();
      changeWaiters.set(runId, set);
      const done = (): void => {
        timer.cancel();
        set.delete(done);
        resolve();
      };
      const timer = clock.setTimer(ms, done);
      set.add(done);
    });
  }

  async function settleOf<O>(runId: string): Promise<{ done: true; value: O } | { done: false }> {
    const local = ended.get(runId);
    if (local?.status === 'completed') return { done: true, value: local.output as O };
    const record = await store.getRun(runId);
    if (!record) throw new RunNotFoundError(`[@cairn/core] run "${runId}" not found in store "${store.name}"`, { runId });
    if (record.status === 'completed') return { done: true, value: toRunInfo(record).output as O };
    if (record.status === 'cancelled') throw new RunCancelledError(`[@cairn/core] run "${runId}" was cancelled`, { runId });
    if (record.status === 'failed' && !options.isDriven(runId)) {
      const error = record.error ? deserializeError(decode<SerializedError>(record.error)) : new Error('unknown error');
      throw new RunFailedError(runId, `[@cairn/core] run "${runId}" failed: ${error.message}`, { cause: error });
    }
    return { done: false };
  }

  function handle<O>(runId: string): RunHandle<O> {
    assertRunId(runId);
    return {
      runId,
      async result() {
        for (;;) {
          if (!options.isDriven(runId)) {
            const state = await settleOf<O>(runId);
            if (state.done) return state.value;
          }
          if (options.isClosed())
            throw new InvalidArgumentError(`[@cairn/core] runtime closed while waiting for run "${runId}"`, { runId });
          await waitForChange(runId, pollMs);
        }
      },
      async settled() {
        while (options.isDriven(runId)) await waitForChange(runId, pollMs);
        return options.get(runId);
      },
      events(streamOptions?: EventStreamOptions) {
        if (streamOptions === undefined) return createEventStream(options.listeners, runId);
        return createDurableEventStream(
          { store, clock, pollMs, listeners: options.listeners, isClosed: options.isClosed },
          runId,
          streamOptions,
        );
      },
    };
  }

  return {
    notify,
    waitForChange,
    remember(runId, outcome) {
      ended.delete(runId);
      ended.set(runId, outcome);
      if (ended.size > 1000) ended.delete(ended.keys().next().value as string);
    },
    notifyAll() {
      for (const runId of [...changeWaiters.keys()]) notify(runId);
    },
    handle,
  };
}
