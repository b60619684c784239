/**
 * The IndexedDB adapter. Each method is one transaction (see `transaction.ts`); the compare-and-set
 * methods read, compare and write inside it, so two tabs or two connections racing on one run are
 * serialized by IndexedDB itself and exactly one of them wins.
 *
 * The handle keeps the header and texts of the runs it last wrote, with the header's stamp
 * (ADR 0186). An append to a kept run that changes no text spans `runs` and `entries` only and
 * issues its three requests at once: the header's get, the entries' adds and the new header's put.
 * When the get shows a stamp other than the kept one (another tab or handle wrote the run, or
 * deleted it), the transaction is aborted, so none of its writes happen, and the append is made
 * again the general way: read, compare, write.
 */
import {
  type DurableStore,
  InvalidArgumentError,
  type JournalEntry,
  type NewEntry,
  RUN_STATUSES,
  type RunPatch,
  type RunRecord,
} from '@cairn/core';
import { copyRecord, createAdapterKit, defineStore, firstStamp, statsOf } from '@cairn/core/adapter';
import { assertEntries, assertPatch, assertStrings, assertUpdatedBefore } from './arguments.ts';
import { createConnection } from './connection.ts';
import type { IndexedDBDataLoss } from './data-loss.ts';
import { deleteMatching } from './delete-runs.ts';
import { listPage } from './list-runs.ts';
import { DEFAULT_MAX_PAYLOAD_BYTES } from './payload-limit.ts';
import { headOf, type RunStores, type RunTexts, readRun, runRange, stampOf, withTexts, writeRun } from './run-records.ts';
import type { StoredEntry, StoredHead } from './schema.ts';
import { ADAPTER } from './storage-errors.ts';
import { inTransaction, Retracted } from './transaction.ts';

/** Options of `createIndexedDBStore`. */
export interface CreateIndexedDBStoreOptions {
  /** Database name; every tab of the origin that opens the same name shares the runs. */
  name: string;
  /** Largest input, output, error or entry payload accepted, in UTF-8 bytes (default 32 MiB). */
  maxPayloadBytes?: number;
  /**
   * Called once when this store finds that the browser lost the database (see the README, "When
   * the browser loses the database"). From then on every call rejects with
   * `IndexedDBDataLossError` until `acknowledgeIndexedDBDataLoss(name)` is called.
   */
  onDataLoss?: (loss: IndexedDBDataLoss) => void;
}

const RUN = ['runs', 'texts'] as const;
const RUN_AND_JOURNAL = ['runs', 'texts', 'entries'] as const;
const HEAD_AND_JOURNAL = ['runs', 'entries'] as const;

// Runs kept per handle, at most this many (the one kept first is dropped first).
const KEPT_RUNS = 1000;

/** A run as this handle last wrote it: its header as stored (with the stamp) and its texts. */
interface KeptRun {
  head: StoredHead;
  texts: RunTexts;
}

function textsOf(record: RunRecord): RunTexts {
  return { input: record.input, output: record.output, error: record.error };
}

function changesText(patch: RunPatch | undefined): boolean {
  return patch !== undefined && (patch.input !== undefined || patch.output !== undefined || patch.error !== undefined);
}

function storesOf<Mode extends IDBTransactionMode>(tx: {
  objectStore(name: 'runs'): RunStores<Mode>['runs'];
  objectStore(name: 'texts'): RunStores<Mode>['texts'];
}): RunStores<Mode> {
  return { runs: tx.objectStore('runs'), texts: tx.objectStore('texts') };
}

function storedEntry(runId: string, seq: number, entry: NewEntry): StoredEntry {
  return { runId, seq, kind: entry.kind, key: entry.key, payload: entry.payload, createdAt: entry.createdAt };
}

/**
 * A `DurableStore` in the browser's IndexedDB, shared by every tab of the origin that opens the
 * same `name`. Commits use `durability: 'strict'`: a promise resolves only once the browser has
 * flushed the write, so a completed step survives a crash of the tab or of the browser.
 *
 * When the browser loses the database anyway (Chromium deletes an origin's IndexedDB it finds
 * corrupt at startup), the store says so instead of answering `null`: every call rejects with
 * `IndexedDBDataLossError` (and `onDataLoss` is called) until `acknowledgeIndexedDBDataLoss(name)`.
 *
 * @example
 * import { createIndexedDBStore } from '@cairn/storage-indexeddb';
 * const store = createIndexedDBStore({ name: 'my-app-runs' });
 * const runtime = createRuntime({ store, workflows: [researchAgent] });
 */
export function createIndexedDBStore(options: CreateIndexedDBStoreOptions): DurableStore {
  if (typeof options?.name !== 'string' || options.name.length === 0) {
    throw new InvalidArgumentError(`[${ADAPTER}] createIndexedDBStore needs a non-empty database name`);
  }
  const kit = createAdapterKit({
    adapter: ADAPTER,
    location: `database "${options.name}"`,
    maxPayloadBytes: options.maxPayloadBytes,
    defaultMaxPayloadBytes: DEFAULT_MAX_PAYLOAD_BYTES,
  });
  const connection = createConnection(options.name, options.onDataLoss ? { onDataLoss: options.onDataLoss } : {});

  // The kept header is a structured clone: nothing in it is shared with a caller's patch or a
  // record handed out (records are copied with copyRecord on the way out).
  const kept = new Map<string, KeptRun>();
  function keep(record: RunRecord, stamp: number): void {
    const fresh = !kept.has(record.runId);
    kept.set(record.runId, { head: structuredClone(headOf(record, stamp)), texts: textsOf(record) });
    if (fresh && kept.size > KEPT_RUNS) kept.delete(kept.keys().next().value as string);
  }

  // The append of a kept run: get, adds and put issued together; retracted unless the stored
  // header still has the kept stamp. Resolves with the new record, or `undefined` when retracted.
  async function keptAppend(
    held: KeptRun,
    runId: string,
    expectedLastSeq: number,
    entries: NewEntry[],
    patch: RunPatch | undefined,
  ): Promise<RunRecord | undefined> {
    const next = kit.appended(runId, withTexts(held.head, held.texts), expectedLastSeq, entries.length, patch);
    const stamp = stampOf(held.head) + 1;
    try {
      await inTransaction(connection, HEAD_AND_JOURNAL, 'readwrite', `run "${runId}": append`, async (tx) => {
        const runs = tx.objectStore('runs');
        const journal = tx.objectStore('entries');
        const stored = runs.get(runId);
        const written = Promise.all([
          ...entries.map((entry, index) => journal.add(storedEntry(runId, expectedLastSeq + index + 1, entry))),
          runs.put(headOf(next, stamp)),
        ]);
        // When retracted, these requests fail with AbortError: the outcome is reported by the retraction.
        written.catch(() => {});
        const head = await stored;
        if (!head || stampOf(head) !== stampOf(held.head)) throw new Retracted('the kept header is not the stored one');
        await written;
      });
    } catch (error) {
      kept.delete(runId);
      if (error instanceof Retracted) return undefined;
      throw error;
    }
    keep(next, stamp);
    return copyRecord(next);
  }

  // Records handed back share no object with the caller's arguments (a patch's lease, a new run's
  // usage), as a record read back from the database would not.
  return defineStore(kit, 'indexeddb', {
    async createRun(record) {
      if (!Number.isFinite(record.createdAt) || !Number.isFinite(record.updatedAt)) {
        throw new InvalidArgumentError(kit.message(record.runId, 'createdAt and updatedAt must be numbers'));
      }
      assertStrings(record.runId, { input: record.input, output: record.output, error: record.error });
      const stamp = firstStamp();
      const created = await inTransaction(
        connection,
        RUN_AND_JOURNAL,
        'readwrite',
        `run "${record.runId}": createRun`,
        async (tx) => {
          if ((await tx.objectStore('runs').getKey(record.runId)) !== undefined) throw kit.exists(record.runId);
          // Texts or a journal can only outlive their run if written by a foreign tool; a new run
          // starts clean.
          await Promise.all([
            tx.objectStore('entries').delete(runRange(record.runId)),
            tx.objectStore('texts').delete(runRange(record.runId)),
            ...writeRun(storesOf(tx), record, stamp),
          ]);
          return record;
        },
      );
      keep(created, stamp);
      return copyRecord(created);
    },

    getRun(runId) {
      return inTransaction(
        connection,
        RUN,
        'readonly',
        `run "${runId}": getRun`,
        async (tx) => (await readRun(storesOf(tx), runId))?.record ?? null,
      );
    },

    async updateRun(runId, expectedVersion, patch) {
      assertPatch(runId, patch);
      kept.delete(runId);
      const written = await inTransaction(connection, RUN, 'readwrite', `run "${runId}": updateRun`, async (tx) => {
        const current = await readRun(storesOf(tx), runId);
        const next = kit.updated(runId, current?.record, expectedVersion, patch);
        const stamp = (current?.stamp ?? 0) + 1;
        await Promise.all(writeRun(storesOf(tx), next, stamp, patch));
        return { next, stamp };
      });
      keep(written.next, written.stamp);
      return copyRecord(written.next);
    },

    async append(runId, expectedLastSeq, entries, patch) {
      assertEntries(runId, entries);
      assertPatch(runId, patch);
      const held = kept.get(runId);
      if (held && held.head.lastSeq === expectedLastSeq && !changesText(patch)) {
        const appended = await keptAppend(held, runId, expectedLastSeq, entries, patch);
        if (appended) return appended;
      }
      kept.delete(runId);
      const written = await inTransaction(connection, RUN_AND_JOURNAL, 'readwrite', `run "${runId}": append`, async (tx) => {
        const current = await readRun(storesOf(tx), runId);
        const next = kit.appended(runId, current?.record, expectedLastSeq, entries.length, patch);
        const stamp = (current?.stamp ?? 0) + 1;
        const journal = tx.objectStore('entries');
        await Promise.all([
          ...entries.map((entry, index) => journal.add(storedEntry(runId, expectedLastSeq + index + 1, entry))),
          // Only the header and the texts the patch names are written: O(1) bytes per step.
          ...writeRun(storesOf(tx), next, stamp, patch ?? {}),
        ]);
        return { next, stamp };
      });
      keep(written.next, written.stamp);
      return copyRecord(written.next);
    },

    readEntries(runId, afterSeq, limit) {
      return inTransaction(connection, ['entries'], 'readonly', `run "${runId}": readEntries`, async (tx) => {
        const range = IDBKeyRange.bound([runId, afterSeq + 1], [runId, Number.POSITIVE_INFINITY]);
        const stored = await tx.store.getAll(range, limit === undefined ? undefined : Math.min(limit, 2 ** 32 - 1));
        return stored.map(({ seq, kind, key, payload, createdAt }): JournalEntry => ({ seq, kind, key, payload, createdAt }));
      });
    },

    listRuns(query, limit, position) {
      assertUpdatedBefore(query?.updatedBefore, 'listRuns');
      return inTransaction(connection, RUN, 'readonly', 'listRuns', (tx) => listPage(tx, query, limit, position));
    },

    deleteRuns(query) {
      kept.clear();
      return inTransaction(connection, RUN_AND_JOURNAL, 'readwrite', 'deleteRuns', (tx) => deleteMatching(tx, query));
    },

    stats() {
      return inTransaction(connection, ['runs'], 'readonly', 'stats', async (tx) => {
        const index = tx.store.index('by-status');
        const counts = await Promise.all(RUN_STATUSES.map((status) => index.count(IDBKeyRange.bound([status], [status, []]))));
        return statsOf(RUN_STATUSES.map((status, position) => ({ status, count: counts[position] ?? 0 })));
      });
    },

    close: () => {
      kept.clear();
      return connection.close();
    },
  });
}
