/**
 * The per-run append queue. A runtime serializes its own appends to one run, so its parallel steps
 * never conflict with each other; requests queued while an append is in flight go out together in
 * the next append (group commit: one durable write for several parallel step results).
 *
 * Invariants:
 * - every append is a CAS on the cursor's `lastSeq`, and the cursor only moves forward;
 * - losing the CAS to entries that other parties legitimately add to a driven run (signals,
 *   approval decisions) is not losing the run: those entries are absorbed and the append retried;
 * - losing it to anything else means another resumer drives the run: every pending and future
 *   commit rejects with the conflict, and the driver stops without writing anything more;
 * - retryable backend errors (busy) are retried a bounded number of times with backoff.
 */
import { CairnError } from '../errors.ts';
import type { DurableStore, JournalEntry, NewEntry, RunPatch, RunRecord } from '../storage/types.ts';
import { type Clock, delay } from './clock.ts';
import { EXTERNAL_KINDS } from './replay-state.ts';

/** Longest stretch of back-to-back commits before the queue yields to the event loop (a yield costs ~1 ms in Node, so this keeps it near 2 %). */
const YIELD_EVERY_MS = 50;

/** The driver's view of the run's CAS tokens. */
export interface RunCursor {
  readonly runId: string;
  lastSeq: number;
  version: number;
}

/** Result of one commit request. */
export interface CommitResult {
  /** Seq of the request's first entry. */
  firstSeq: number;
  record: RunRecord;
}

interface Request {
  entries: NewEntry[];
  patch: RunPatch | undefined;
  resolve(result: CommitResult): void;
  reject(error: unknown): void;
}

/** Options of `createCommitQueue`. */
export interface CommitQueueOptions {
  store: DurableStore;
  cursor: RunCursor;
  clock: Clock;
  /** Entries other parties appended, absorbed after a lost CAS. */
  onExternal(entries: JournalEntry[]): void;
  /** Every header the store returns (to notice cancel requests at step boundaries). */
  onRecord(record: RunRecord): void;
  /** The run was taken over: stop driving. */
  onSuperseded(error: unknown): void;
  /** Attempts for retryable backend errors (default 5). */
  maxBusyRetries?: number;
}

/** A serialized, batching append queue for one run. */
export interface CommitQueue {
  commit(entries: NewEntry[], patch?: RunPatch): Promise<CommitResult>;
  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void>;
  /** Refuse all further commits with `error` (the driver stopped). */
  close(error: unknown): void;
}

function mergePatches(requests: Request[]): RunPatch | undefined {
  let merged: RunPatch | undefined;
  for (const request of requests) if (request.patch) merged = { ...merged, ...request.patch };
  return merged;
}

/** Create the append queue of one driven run. */
export function createCommitQueue(options: CommitQueueOptions): CommitQueue {
  const { store, cursor, clock } = options;
  const maxBusyRetries = options.maxBusyRetries ?? 5;
  let queue: Request[] = [];
  let flushing = false;
  let fatal: unknown;
  let idleWaiters: Array<() => void> = [];
  let lastYield = clock.now();

  async function appendBatch(batch: Request[]): Promise<void> {
    const entries = batch.flatMap((request) => request.entries);
    const patch = mergePatches(batch);
    for (let busy = 0; ; ) {
      try {
        const record = await store.append(cursor.runId, cursor.lastSeq, entries, patch);
        let seq = cursor.lastSeq + 1;
        cursor.lastSeq = record.lastSeq;
        cursor.version = record.version;
        options.onRecord(record);
        for (const request of batch) {
          request.resolve({ firstSeq: seq, record });
          seq += request.entries.length;
        }
        return;
      } catch (error) {
        if (CairnError.is(error, 'storage-conflict')) {
          const newer = await store.readEntries(cursor.runId, { afterSeq: cursor.lastSeq });
          if (newer.length > 0 && newer.every((entry) => EXTERNAL_KINDS.has(entry.kind))) {
            cursor.lastSeq = newer[newer.length - 1]!.seq;
            options.onExternal(newer);
            continue;
          }
          throw error;
        }
        if (CairnError.is(error, 'storage-unavailable') && error.retryable && busy < maxBusyRetries) {
          busy++;
          await delay(clock, 20 * 2 ** busy);
          continue;
        }
        throw error;
      }
    }
  }

  async function flush(): Promise<void> {
    flushing = true;
    while (queue.length > 0) {
      // A run of synchronous steps on a synchronous store would commit back to back in microtasks
      // and starve every timer of the process (lease renewals, other runs). Yield now and then.
      if (clock.now() - lastYield >= YIELD_EVERY_MS) {
        await new Promise<void>((resolve) => setTimeout(resolve, 0));
        lastYield = clock.now();
      }
      const batch = queue;
      queue = [];
      if (fatal !== undefined) {
        for (const request of batch) request.reject(fatal);
        continue;
      }
      try {
        await appendBatch(batch);
      } catch (error) {
        fatal = error;
        for (const request of batch) request.reject(error);
        options.onSuperseded(error);
      }
    }
    flushing = false;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const waiter of waiters) waiter();
  }

  return {
    commit(entries, patch) {
      if (fatal !== undefined) return Promise.reject(fatal);
      return new Promise<CommitResult>((resolve, reject) => {
        queue.push({ entries, patch, resolve, reject });
        if (!flushing) {
          flushing = true;
          // Start on the next microtask so steps settling in the same tick share one append.
          queueMicrotask(() => void flush());
        }
      });
    },
    idle() {
      if (!flushing && queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    close(error) {
      if (fatal === undefined) fatal = error;
    },
  };
}
