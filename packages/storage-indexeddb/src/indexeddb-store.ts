/**
 * The IndexedDB adapter. Each method is one transaction (see `transaction.ts`); the compare-and-set
 * methods read, compare and write inside it, so two tabs or two connections racing on one run are
 * serialized by IndexedDB itself and exactly one of them wins.
 */
import {
  applyPatch,
  assertAppendArguments,
  assertDeleteQuery,
  assertPatchFields,
  assertPayloadSizes,
  assertRunId,
  assertUpdateArguments,
  conflictError,
  type DurableStore,
  decodeCursor,
  emptyStats,
  InvalidArgumentError,
  initialRecord,
  type JournalEntry,
  listLimit,
  type NewEntry,
  notFoundError,
  RUN_STATUSES,
  RunExistsError,
  type RunRecord,
  readRange,
} from '@cairn/core';
import { assertEntries, assertPatch, assertStrings, assertUpdatedBefore } from './arguments.ts';
import { createConnection } from './connection.ts';
import type { IndexedDBDataLoss } from './data-loss.ts';
import { deleteMatching } from './delete-runs.ts';
import { listPage } from './list-runs.ts';
import { resolveMaxPayloadBytes } from './payload-limit.ts';
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

// Records handed back share no object with the caller's arguments (a patch's lease, a new run's
// usage), as a record read back from the database would not. Strings are immutable, so the large
// fields are shared for free.
function detach(record: RunRecord): RunRecord {
  return {
    ...record,
    usage: { ...record.usage },
    step: { ...record.step },
    lease: record.lease && { ...record.lease },
    forkedFrom: record.forkedFrom && { ...record.forkedFrom },
    metadata: record.metadata && { ...record.metadata },
  };
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
  const maxPayloadBytes = resolveMaxPayloadBytes(options.maxPayloadBytes);
  const connection = createConnection(options.name, options.onDataLoss ? { onDataLoss: options.onDataLoss } : {});

  return {
    name: 'indexeddb',
    limits: { maxPayloadBytes },

    async createRun(run) {
      const record = initialRecord(run, ADAPTER);
      if (!Number.isFinite(record.createdAt) || !Number.isFinite(record.updatedAt)) {
        throw new InvalidArgumentError(`[${ADAPTER}] run "${record.runId}": createdAt and updatedAt must be numbers`);
      }
      assertStrings(record.runId, { input: record.input, output: record.output, error: record.error });
      assertPayloadSizes(ADAPTER, record.runId, maxPayloadBytes, record);
      return inTransaction(connection, RUN_AND_JOURNAL, 'readwrite', `run "${record.runId}": createRun`, async (tx) => {
        if ((await tx.objectStore('runs').getKey(record.runId)) !== undefined) {
          throw new RunExistsError(`[${ADAPTER}] run "${record.runId}" already exists`);
        }
        // Texts or a journal can only outlive their run if written by a foreign tool; a new run
        // starts clean.
        await Promise.all([
          tx.objectStore('entries').delete(runRange(record.runId)),
          tx.objectStore('texts').delete(runRange(record.runId)),
          ...writeRun(storesOf(tx), record),
        ]);
        return detach(record);
      });
    },

    async getRun(runId) {
      assertRunId(runId, ADAPTER);
      return inTransaction(
        connection,
        RUN,
        'readonly',
        `run "${runId}": getRun`,
        async (tx) => (await readRun(storesOf(tx), runId)) ?? null,
      );
    },

    async updateRun(runId, expectedVersion, patch) {
      assertUpdateArguments(ADAPTER, runId, expectedVersion);
      assertPatch(runId, patch);
      assertPayloadSizes(ADAPTER, runId, maxPayloadBytes, patch);
      assertPatchFields(ADAPTER, runId, patch);
      return inTransaction(connection, RUN, 'readwrite', `run "${runId}": updateRun`, async (tx) => {
        const record = await readRun(storesOf(tx), runId);
        if (!record) throw notFoundError(ADAPTER, runId);
        if (record.version !== expectedVersion) throw conflictError(ADAPTER, runId, 'version', expectedVersion, record.version);
        const next = { ...applyPatch(record, patch), version: record.version + 1 };
        await Promise.all(writeRun(storesOf(tx), next, patch));
        return detach(next);
      });
    },

    async append(runId, expectedLastSeq, entries, patch) {
      assertAppendArguments(ADAPTER, runId, expectedLastSeq, entries);
      assertEntries(runId, entries);
      assertPatch(runId, patch);
      assertPayloadSizes(ADAPTER, runId, maxPayloadBytes, patch, entries);
      assertPatchFields(ADAPTER, runId, patch);
      return inTransaction(connection, RUN_AND_JOURNAL, 'readwrite', `run "${runId}": append`, async (tx) => {
        const record = await readRun(storesOf(tx), runId);
        if (!record) throw notFoundError(ADAPTER, runId);
        if (record.lastSeq !== expectedLastSeq) throw conflictError(ADAPTER, runId, 'lastSeq', expectedLastSeq, record.lastSeq);
        const next = { ...applyPatch(record, patch), lastSeq: expectedLastSeq + entries.length };
        const journal = tx.objectStore('entries');
        await Promise.all([
          ...entries.map((entry, index) => journal.add(storedEntry(runId, expectedLastSeq + index + 1, entry))),
          // Only the header and the texts the patch names are written: O(1) bytes per step.
          ...writeRun(storesOf(tx), next, patch ?? {}),
        ]);
        return detach(next);
      });
    },

    async readEntries(runId, readOptions) {
      const { afterSeq, limit } = readRange(ADAPTER, runId, readOptions);
      return inTransaction(connection, ['entries'], 'readonly', `run "${runId}": readEntries`, async (tx) => {
        const range = IDBKeyRange.bound([runId, afterSeq + 1], [runId, Number.POSITIVE_INFINITY]);
        const stored = await tx.store.getAll(range, limit === undefined ? undefined : Math.min(limit, 2 ** 32 - 1));
        return stored.map(({ seq, kind, key, payload, createdAt }): JournalEntry => ({ seq, kind, key, payload, createdAt }));
      });
    },

    async listRuns(query) {
      const limit = listLimit(query, ADAPTER);
      assertUpdatedBefore(query?.updatedBefore, 'listRuns');
      const position = query?.cursor === undefined ? undefined : decodeCursor(query.cursor, ADAPTER);
      return inTransaction(connection, RUN, 'readonly', 'listRuns', (tx) => listPage(tx, query, limit, position));
    },

    async deleteRuns(query) {
      // The shared validator refuses null, wrong-typed and unknown conditions (ADR 0026).
      assertDeleteQuery(query, ADAPTER);
      return inTransaction(connection, RUN_AND_JOURNAL, 'readwrite', 'deleteRuns', (tx) => deleteMatching(tx, query));
    },

    async stats() {
      return inTransaction(connection, ['runs'], 'readonly', 'stats', async (tx) => {
        const stats = emptyStats();
        const index = tx.store.index('by-status');
        const counts = await Promise.all(RUN_STATUSES.map((status) => index.count(IDBKeyRange.bound([status], [status, []]))));
        RUN_STATUSES.forEach((status, position) => {
          stats.byStatus[status] = counts[position] ?? 0;
          stats.total += counts[position] ?? 0;
        });
        return stats;
      });
    },

    async close() {
      await connection.close();
    },
  };
}
