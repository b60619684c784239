/**
 * The per-run append queue. A runtime serializes its own appends to one run, so its parallel steps
 * never conflict with each other; requests queued while an append is in flight go out together in
 * the next append (group commit: one durable write for several parallel step results).
 *
 * Invariants:
 * - every append is a CAS on the cursor's `lastSeq`, and the cursor only moves forward;
 * - losing the CAS to entries that other parties legitimately add to a driven run (signals,
 *   approval decisions) is not losing the run: those entries are kept for `drainExternal()` and
 *   the append retried;
 * - losing it to anything else means another resumer drives the run (a `lease-take` fenced us):
 *   the queue becomes fatal, every pending and future commit rejects with the conflict;
 * - a request the store refuses for its own content (payload too large, invalid argument) fails
 *   alone: a batch so refused is re-sent request by request, and the queue goes on;
 * - retryable backend errors (busy) are retried a bounded number of times with backoff;
 * - the queue calls nothing of its caller: results and errors flow back through the promises.
 */
import { CairnError } from '../errors.ts';
import type { DurableStore, JournalEntry, NewEntry, RunPatch, RunRecord } from '../storage/types.ts';
import { type Clock, delay, macrotask } from './clock.ts';
import { EXTERNAL_KINDS } from './journal-format.ts';

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
  /** Entries other parties appended (signals, decisions) absorbed since the last call, in seq order. */
  drainExternal(): JournalEntry[];
  /** The error that ended the queue, if any. */
  readonly fatal: unknown;
}

/** True when the store refused the request itself, not the run: the request fails alone. */
export function isRequestRefusal(error: unknown): boolean {
  return (
    CairnError.is(error, 'payload-too-large') ||
    CairnError.is(error, 'not-serializable') ||
    CairnError.is(error, 'invalid-argument')
  );
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
  // Absorbed external entries not yet handed out.
  let external: JournalEntry[] = [];

  async function appendBatch(batch: Request[]): Promise<void> {
    const entries = batch.flatMap((request) => request.entries);
    const patch = mergePatches(batch);
    for (let busy = 0; ; ) {
      try {
        const record = await store.append(cursor.runId, cursor.lastSeq, entries, patch);
        let seq = cursor.lastSeq + 1;
        cursor.lastSeq = record.lastSeq;
        cursor.version = record.version;
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
            external.push(...newer);
            continue;
          }
          throw error;
        }
        if (CairnError.is(error, 'storage-unavailable') && error.retryable && busy < maxBusyRetries) {
          busy++;
          await delay(clock, 20 * 2 ** busy);
          continue;
        }
        if (isRequestRefusal(error) && batch.length > 1) {
          // Find the request the store refuses; the others commit.
          for (const [i, request] of batch.entries()) {
            try {
              await appendBatch([request]);
            } catch (single) {
              if (!isRequestRefusal(single)) {
                for (const rest of batch.slice(i + 1)) rest.reject(single);
                throw single;
              }
              request.reject(single);
            }
          }
          return;
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
        await macrotask();
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
        if (isRequestRefusal(error)) {
          // A single request refused for its content (a batch of several was split above).
          for (const request of batch) request.reject(error);
          continue;
        }
        fatal = error;
        for (const request of batch) request.reject(error);
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
    drainExternal() {
      const drained = external;
      external = [];
      return drained;
    },
    get fatal() {
      return fatal;
    },
  };
}
