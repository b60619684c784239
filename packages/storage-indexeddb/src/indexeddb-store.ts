/**
 * The IndexedDB adapter. Each method is one transaction (see `transaction.ts`); the compare-and-set
 * methods read, compare and write inside it, so two tabs or two connections racing on one run are
 * serialized by IndexedDB itself and exactly one of them wins.
 */
import { type DurableStore, InvalidArgumentError, type JournalEntry, type NewEntry, RUN_STATUSES } from '@cairn/core';
import { copyRecord, createAdapterKit, defineStore, statsOf } from '@cairn/core/adapter';
import { assertEntries, assertPatch, assertStrings, assertUpdatedBefore } from './arguments.ts';
import { createConnection } from './connection.ts';
import type { IndexedDBDataLoss } from './data-loss.ts';
import { deleteMatching } from './delete-runs.ts';
import { listPage } from './list-runs.ts';
import { DEFAULT_MAX_PAYLOAD_BYTES } from './payload-limit.ts';
import { type RunStores, readRun, runRange, writeRun } from './run-records.ts';
import type { StoredEntry } from './schema.ts';
import { ADAPTER } from './storage-errors.ts';
import { inTransaction } from './transaction.ts';

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

  // Records handed back share no object with the caller's arguments (a patch's lease, a new run's
  // usage), as a record read back from the database would not.
  return defineStore(kit, 'indexeddb', {
    async createRun(record) {
      if (!Number.isFinite(record.createdAt) || !Number.isFinite(record.updatedAt)) {
        throw new InvalidArgumentError(kit.message(record.runId, 'createdAt and updatedAt must be numbers'));
      }
      assertStrings(record.runId, { input: record.input, output: record.output, error: record.error });
      return inTransaction(connection, RUN_AND_JOURNAL, 'readwrite', `run "${record.runId}": createRun`, async (tx) => {
        if ((await tx.objectStore('runs').getKey(record.runId)) !== undefined) throw kit.exists(record.runId);
        // Texts or a journal can only outlive their run if written by a foreign tool; a new run
        // starts clean.
        await Promise.all([
          tx.objectStore('entries').delete(runRange(record.runId)),
          tx.objectStore('texts').delete(runRange(record.runId)),
          ...writeRun(storesOf(tx), record),
        ]);
        return copyRecord(record);
      });
    },

    getRun(runId) {
      return inTransaction(
        connection,
        RUN,
        'readonly',
        `run "${runId}": getRun`,
        async (tx) => (await readRun(storesOf(tx), runId)) ?? null,
      );
    },

    updateRun(runId, expectedVersion, patch) {
      assertPatch(runId, patch);
      return inTransaction(connection, RUN, 'readwrite', `run "${runId}": updateRun`, async (tx) => {
        const next = kit.updated(runId, await readRun(storesOf(tx), runId), expectedVersion, patch);
        await Promise.all(writeRun(storesOf(tx), next, patch));
        return copyRecord(next);
      });
    },

    append(runId, expectedLastSeq, entries, patch) {
      assertEntries(runId, entries);
      assertPatch(runId, patch);
      return inTransaction(connection, RUN_AND_JOURNAL, 'readwrite', `run "${runId}": append`, async (tx) => {
        const next = kit.appended(runId, await readRun(storesOf(tx), runId), expectedLastSeq, entries.length, patch);
        const journal = tx.objectStore('entries');
        await Promise.all([
          ...entries.map((entry, index) => journal.add(storedEntry(runId, expectedLastSeq + index + 1, entry))),
          // Only the header and the texts the patch names are written: O(1) bytes per step.
          ...writeRun(storesOf(tx), next, patch ?? {}),
        ]);
        return copyRecord(next);
      });
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
      return inTransaction(connection, RUN_AND_JOURNAL, 'readwrite', 'deleteRuns', (tx) => deleteMatching(tx, query));
    },

    stats() {
      return inTransaction(connection, ['runs'], 'readonly', 'stats', async (tx) => {
        const index = tx.store.index('by-status');
        const counts = await Promise.all(RUN_STATUSES.map((status) => index.count(IDBKeyRange.bound([status], [status, []]))));
        return statsOf(RUN_STATUSES.map((status, position) => ({ status, count: counts[position] ?? 0 })));
      });
    },

    close: () => connection.close(),
  });
}
