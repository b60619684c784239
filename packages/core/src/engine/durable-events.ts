/**
 * Durable event streams (ADR 0121): `handle.events({ fromSeq })` replays a run's journal as events
 * and then follows it, wherever the run is driven. Each event derived from a journal entry carries
 * that entry's `seq`, so a consumer that stops after seq n and comes back with `fromSeq: n + 1`
 * gets everything it missed, exactly once, from the store: no step runs again and no token is
 * spent again. While this runtime drives the run, its live-only events (text deltas, retries,
 * pauses, custom events) are interleaved; they carry no `seq` and are not replayed on reconnect.
 *
 * Invariants:
 * - journal events come in seq order, each once, starting at `fromSeq`; the stream ends after
 *   `run-end` (or when the consumer stops);
 * - a live event of a step is never yielded after that step's `step-end`/`step-fail` (late text
 *   deltas are dropped: the step's recorded value holds the whole text);
 * - every wait is bounded by `pollMs`; a closed runtime ends the stream with an error;
 * - entries of kinds without an event (lease takeovers, timers, kinds from newer versions) are
 *   skipped, never an error.
 */
import { InvalidArgumentError, RunNotFoundError } from '../errors.ts';
import type { DurableStore, JournalEntry, RunUsage } from '../storage/types.ts';
import type { Clock } from './clock.ts';
import type { RunEvent } from './events.ts';
import { readEntry } from './journal-format.ts';

/** An event of a durable stream: `seq` is set on events read from the journal. */
export type DurableRunEvent = RunEvent & { seq?: number };

/** Options of a durable event stream. */
export interface EventStreamOptions {
  /** First journal seq to deliver (default 1: the whole history). Resume with the last seen seq + 1. */
  fromSeq?: number;
}

// Events with no journal entry behind them: delivered live, only while this runtime drives the run.
const LIVE_ONLY: ReadonlySet<RunEvent['type']> = new Set([
  'text-delta',
  'step-retry',
  'step-unknown',
  'run-pause',
  'lease-lost',
  'custom',
]);

// Statuses after which no entry follows unless someone acts (a retry starts a new drive).
const ENDED: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled']);

// Entries read per store call while catching up.
const PAGE = 256;
// Live events kept for a consumer that does not pull; the oldest go first.
const MAX_QUEUED = 10_000;

function nameOf(stepId: string): string {
  const hash = stepId.lastIndexOf('#');
  return hash > 0 ? stepId.slice(0, hash) : stepId;
}

/** The event a journal entry stands for, or undefined when its kind has none. */
export function eventOfEntry(
  runId: string,
  entry: JournalEntry,
  usage: () => Promise<RunUsage>,
): Promise<DurableRunEvent> | DurableRunEvent | undefined {
  const base = { runId, at: entry.createdAt, seq: entry.seq };
  const key = entry.key;
  switch (entry.kind) {
    case 'run-start': {
      const decoded = readEntry(entry);
      return { type: 'run-start', ...base, workflow: decoded.kind === 'run-start' ? (decoded.workflow ?? '') : '' };
    }
    case 'step-start': {
      const decoded = readEntry(entry);
      if (decoded.kind !== 'step-start') return undefined;
      return {
        type: 'step-start',
        ...base,
        stepId: key,
        name: nameOf(key),
        index: decoded.record.index,
        attempt: 1,
        effect: 'once',
      };
    }
    case 'step-end': {
      const decoded = readEntry(entry);
      if (decoded.kind !== 'step-end') return undefined;
      const { index, durationMs, attempts, usage: stepUsage } = decoded.record;
      return {
        type: 'step-end',
        ...base,
        stepId: key,
        name: nameOf(key),
        index,
        replayed: false,
        durationMs,
        attempts,
        ...(stepUsage ? { usage: stepUsage } : {}),
      };
    }
    case 'step-fail': {
      const decoded = readEntry(entry);
      if (decoded.kind !== 'step-fail') return undefined;
      return {
        type: 'step-fail',
        ...base,
        stepId: key,
        name: nameOf(key),
        index: decoded.record.index,
        replayed: false,
        error: decoded.record.error,
      };
    }
    case 'signal-receive':
      return { type: 'signal-receive', ...base, name: key };
    case 'approval-request': {
      const decoded = readEntry(entry);
      if (decoded.kind !== 'approval-request') return undefined;
      return {
        type: 'approval-request',
        ...base,
        approvalId: key,
        details: decoded.record.details,
        expiresAt: decoded.record.expiresAt,
      };
    }
    case 'approval-decide': {
      const decoded = readEntry(entry);
      if (decoded.kind !== 'approval-decide') return undefined;
      return { type: 'approval-decide', ...base, approvalId: key, approved: decoded.record.approved, by: decoded.record.by };
    }
    case 'run-end': {
      const decoded = readEntry(entry);
      if (decoded.kind !== 'run-end') return undefined;
      const { status, error } = decoded.record;
      return usage().then((runUsage) => ({
        type: 'run-end',
        ...base,
        status,
        usage: runUsage,
        ...(error ? { error } : {}),
      }));
    }
    default:
      return undefined;
  }
}

/** Where a durable stream reads and listens. */
export interface DurableStreamSource {
  store: DurableStore;
  clock: Clock;
  pollMs: number;
  listeners: Map<string, Set<(event: RunEvent) => void>>;
  isClosed(): boolean;
}

/** Validate `fromSeq`: a positive integer (0 reads as 1). */
function firstSeq(runId: string, options: EventStreamOptions): number {
  const fromSeq = options.fromSeq ?? 1;
  if (!Number.isSafeInteger(fromSeq) || fromSeq < 0)
    throw new InvalidArgumentError(
      `[@cairn/core] events of run "${runId}": fromSeq must be a non-negative integer, got ${String(fromSeq)}`,
      {
        runId,
      },
    );
  return Math.max(1, fromSeq);
}

/**
 * The durable event stream of `runId` from `options.fromSeq`.
 *
 * @example
 * for await (const event of runtime.handle(runId).events({ fromSeq: lastSeen + 1 })) {
 *   if (event.seq) lastSeen = event.seq;
 * }
 */
export function createDurableEventStream(
  source: DurableStreamSource,
  runId: string,
  options: EventStreamOptions,
): AsyncIterable<DurableRunEvent> {
  const first = firstSeq(runId, options);
  return {
    [Symbol.asyncIterator]() {
      const { store, clock } = source;
      let cursor = first - 1;
      let ended = false;
      let started = false;
      const ready: DurableRunEvent[] = [];
      const live: RunEvent[] = [];
      const endedSteps = new Set<string>();
      let wake: (() => void) | undefined;
      const listener = (event: RunEvent): void => {
        live.push(event);
        if (live.length > MAX_QUEUED) live.shift();
        wake?.();
      };
      const set = source.listeners.get(runId) ?? new Set();
      source.listeners.set(runId, set);
      set.add(listener);
      const finish = (): void => {
        ended = true;
        set.delete(listener);
        if (set.size === 0 && source.listeners.get(runId) === set) source.listeners.delete(runId);
      };

      const finalUsage = async () => {
        const record = await store.getRun(runId);
        if (!record) throw new RunNotFoundError(`[@cairn/core] run "${runId}" not found in store "${store.name}"`, { runId });
        return record.usage;
      };

      // Read every entry after the cursor (bounded pages) into `ready`.
      async function drain(): Promise<void> {
        for (;;) {
          const entries = await store.readEntries(runId, { afterSeq: cursor, limit: PAGE });
          for (const entry of entries) {
            cursor = entry.seq;
            const event = await eventOfEntry(runId, entry, finalUsage);
            if (!event) continue;
            if (event.type === 'step-end' || event.type === 'step-fail') endedSteps.add(event.stepId);
            ready.push(event);
          }
          if (entries.length < PAGE) return;
        }
      }

      // Live events in arrival order: a journaled one means entries were appended, so the journal is
      // read before the next live-only event is placed.
      async function takeLive(): Promise<void> {
        let appended = false;
        while (live.length > 0) {
          const event = live.shift() as RunEvent;
          if (!LIVE_ONLY.has(event.type)) {
            appended = true;
            continue;
          }
          if (appended) {
            await drain();
            appended = false;
          }
          if ('stepId' in event && endedSteps.has(event.stepId)) continue;
          ready.push(event);
        }
        if (appended) await drain();
      }

      function waitForWake(ms: number): Promise<void> {
        return new Promise((resolve) => {
          const done = (): void => {
            timer.cancel();
            wake = undefined;
            resolve();
          };
          const timer = clock.setTimer(ms, done);
          wake = done;
        });
      }

      return {
        async next(): Promise<IteratorResult<DurableRunEvent>> {
          try {
            if (!started) {
              started = true;
              const record = await store.getRun(runId);
              if (!record)
                throw new RunNotFoundError(`[@cairn/core] run "${runId}" not found in store "${store.name}"`, { runId });
              await drain();
              // An ended run read to its end: nothing more will come (a run-end in range ends it too).
              if (ENDED.has(record.status) && cursor >= record.lastSeq) finish();
            }
            for (;;) {
              const event = ready.shift();
              if (event) {
                // A run-end with nothing after it ends the stream. Entries after a run-end (a failed
                // run retried in place) mean the run went on: the stream goes on with it.
                if (event.type === 'run-end' && event.seq !== undefined && cursor === event.seq) {
                  finish();
                  ready.length = 0;
                }
                return { value: event, done: false };
              }
              if (ended) return { value: undefined, done: true };
              if (live.length > 0) {
                await takeLive();
                continue;
              }
              if (source.isClosed())
                throw new InvalidArgumentError(`[@cairn/core] runtime closed while following the events of run "${runId}"`, {
                  runId,
                });
              await waitForWake(source.pollMs);
              if (live.length === 0) {
                await drain();
                if (ready.length > 0) continue;
                const record = await store.getRun(runId);
                if (!record)
                  throw new RunNotFoundError(`[@cairn/core] run "${runId}" was deleted while its events were followed`, {
                    runId,
                  });
                // Asked for events after the end of an ended run: there are none to wait for.
                if (ENDED.has(record.status) && cursor >= record.lastSeq) finish();
              }
            }
          } catch (error) {
            finish();
            throw error;
          }
        },
        async return(): Promise<IteratorResult<DurableRunEvent>> {
          finish();
          return { value: undefined, done: true };
        },
      };
    },
  };
}

/** A page of a run's journal events (`readRunEvents`). */
export interface RunEventPage {
  /** Journal events with seq ≥ `fromSeq`, ascending, each with its `seq`. */
  events: DurableRunEvent[];
  /** Where the next page starts (`fromSeq` of the next call). */
  nextSeq: number;
  /** The page holds the run's `run-end`: nothing follows. */
  ended: boolean;
}

/**
 * One page of a run's journal as events, from the store alone (no runtime): for servers that stream
 * a run's events to clients by polling, such as the Durable Objects runs API's Server-Sent Events.
 * `RunNotFoundError` when the run does not exist; `limit` entries are read at most (default 256).
 *
 * @example
 * const page = await readRunEvents(store, runId, { fromSeq: Number(lastEventId) + 1 });
 */
export async function readRunEvents(
  store: DurableStore,
  runId: string,
  options: EventStreamOptions & { limit?: number } = {},
): Promise<RunEventPage> {
  const first = firstSeq(runId, options);
  const limit = options.limit ?? PAGE;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 10_000)
    throw new InvalidArgumentError(`[@cairn/core] events of run "${runId}": limit must be an integer from 1 to 10000`, { runId });
  const record = await store.getRun(runId);
  if (!record) throw new RunNotFoundError(`[@cairn/core] run "${runId}" not found in store "${store.name}"`, { runId });
  const entries = await store.readEntries(runId, { afterSeq: first - 1, limit });
  const events: DurableRunEvent[] = [];
  const usage = async () => (await store.getRun(runId))?.usage ?? record.usage;
  for (const entry of entries) {
    const event = await eventOfEntry(runId, entry, usage);
    if (event) events.push(event);
  }
  const nextSeq = (entries.at(-1)?.seq ?? first - 1) + 1;
  // The page ends on a run-end, or reads past the end of an ended run: nothing to wait for.
  const ended = entries.at(-1)?.kind === 'run-end' || (ENDED.has(record.status) && nextSeq > record.lastSeq);
  return { events, nextSeq, ended };
}
