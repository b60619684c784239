/**
 * The Durable Object store: runs and journals in the object's embedded SQLite database. Every
 * compare-and-set runs in one `transactionSync` (read the run, compare, insert rows, update the run),
 * so nothing interleaves with it and a failure leaves no trace. The surface is async, as the
 * contract requires, but each call does its work synchronously before its promise settles.
 */
import { type DurableStore, InvalidArgumentError, type RunRecord } from '@cairn/core';
import { createAdapterKit, defineStore, pageOf } from '@cairn/core/adapter';
import { insertEntries, selectEntries } from './journal-rows.ts';
import { DEFAULT_MAX_PAYLOAD_BYTES, MAX_NAME_UNITS } from './limits.ts';
import { migrateTables } from './migrate.ts';
import { countRuns, deleteMatchingRuns, selectRunPage } from './run-queries.ts';
import { decodeRun, loadRun, runExists, writeRun } from './run-rows.ts';
import { ADAPTER, tableNames } from './schema.ts';
import type { DurableObjectSqlStorage } from './sql-storage.ts';
import { describeDurableObjectFailure } from './storage-errors.ts';

/** Options of `createDurableObjectStore`. */
export interface CreateDurableObjectStoreOptions {
  /** Largest input, output, error or entry payload accepted, in UTF-8 bytes (default 16 MiB). */
  maxPayloadBytes?: number;
  /** Prefix of the store's tables (default `cairn_`), to keep several stores or app tables apart. */
  tablePrefix?: string;
}

/**
 * A `DurableStore` over the SQLite storage of a Durable Object (a class declared with
 * `new_sqlite_classes`). Payloads longer than a SQLite row allows are split across rows
 * transparently, up to `maxPayloadBytes`.
 *
 * @example
 * export class Agents extends DurableObject {
 *   store: DurableStore;
 *   constructor(ctx: DurableObjectState, env: Env) {
 *     super(ctx, env);
 *     ctx.blockConcurrencyWhile(async () => migrateDurableObjectStore(ctx.storage));
 *     this.store = createDurableObjectStore(ctx.storage);
 *   }
 * }
 */
export function createDurableObjectStore(
  storage: DurableObjectSqlStorage,
  options: CreateDurableObjectStoreOptions = {},
): DurableStore {
  const tables = tableNames(options.tablePrefix);
  const kit = createAdapterKit({
    adapter: ADAPTER,
    maxPayloadBytes: options.maxPayloadBytes,
    defaultMaxPayloadBytes: DEFAULT_MAX_PAYLOAD_BYTES,
    describeFailure: describeDurableObjectFailure,
  });
  const { sql } = storage;
  let migrated = false;
  try {
    migrateTables(storage, tables);
    migrated = true;
  } catch {
    // Reported by the first call instead: a constructor that throws leaves the object unusable.
  }

  function ensureMigrated(): void {
    if (migrated) return;
    migrateTables(storage, tables);
    migrated = true;
  }

  function checkName(runId: string, what: string, name: unknown): void {
    if (typeof name !== 'string' || name.length > MAX_NAME_UNITS) {
      throw new InvalidArgumentError(kit.message(runId, `${what} must be a string of at most ${MAX_NAME_UNITS} characters`));
    }
  }

  // Unlike the kit's copyRecord, a deep clone keeps header fields this store has no column for
  // (a later core's): they live in the header JSON and must come back as they went in.
  const detach = (record: RunRecord): RunRecord => structuredClone(record);

  // Every call does its work synchronously; the kit's wrapper makes it a Promise.
  return defineStore(kit, 'durable-objects', {
    createRun(record) {
      ensureMigrated();
      checkName(record.runId, 'workflow name', record.workflow);
      storage.transactionSync(() => {
        if (runExists(sql, tables, record.runId)) throw kit.exists(record.runId);
        writeRun(sql, tables, record, null);
      });
      return detach(record);
    },

    getRun(runId) {
      ensureMigrated();
      return loadRun(sql, tables, runId)?.record ?? null;
    },

    updateRun(runId, expectedVersion, patch) {
      ensureMigrated();
      const next = storage.transactionSync(() => {
        const current = loadRun(sql, tables, runId);
        // applyPatch (in kit.updated) ignores identity fields and CAS tokens, whatever the patch holds.
        const updated = kit.updated(runId, current?.record, expectedVersion, patch);
        writeRun(sql, tables, updated, current, changedFields(patch));
        return updated;
      });
      return detach(next);
    },

    append(runId, expectedLastSeq, entries, patch) {
      ensureMigrated();
      for (const entry of entries) checkName(runId, 'entry key', entry.key);
      const next = storage.transactionSync(() => {
        const current = loadRun(sql, tables, runId);
        const updated = kit.appended(runId, current?.record, expectedLastSeq, entries.length, patch);
        insertEntries(sql, tables, runId, expectedLastSeq + 1, entries);
        writeRun(sql, tables, updated, current, changedFields(patch));
        return updated;
      });
      return detach(next);
    },

    readEntries(runId, afterSeq, limit) {
      ensureMigrated();
      return selectEntries(sql, tables, runId, afterSeq, limit ?? -1);
    },

    listRuns(query, limit, position) {
      ensureMigrated();
      // One row more than the page tells whether there is a next page.
      const rows = selectRunPage(sql, tables, query, position, limit + 1);
      return pageOf(rows, limit, (row) => decodeRun(sql, tables, row).record);
    },

    deleteRuns(query) {
      ensureMigrated();
      return storage.transactionSync(() => deleteMatchingRuns(sql, tables, query));
    },

    stats() {
      ensureMigrated();
      return countRuns(sql, tables);
    },

    close() {},
  });
}

/** The long text fields a patch sets (the header is compared as a whole). */
function changedFields(patch: Partial<RunRecord> | undefined): Set<'input' | 'output' | 'error'> {
  const changed = new Set<'input' | 'output' | 'error'>();
  for (const field of ['input', 'output', 'error'] as const) if (patch?.[field] !== undefined) changed.add(field);
  return changed;
}
