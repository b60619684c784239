/**
 * The Durable Object store: runs and journals in the object's embedded SQLite database. Every
 * compare-and-set runs in one `transactionSync` (read the run, compare, insert rows, update the run),
 * so nothing interleaves with it and a failure leaves no trace. The surface is async, as the
 * contract requires, but each call does its work synchronously before its promise settles.
 *
 * The handle keeps the run rows it last wrote or read, with their stamps (ADR 0185). An append to
 * a kept run whose patch changes no text field is two statements: the row's update `WHERE stamp =`
 * the kept one, then the entry inserts; it neither reads the row nor its chunked input. When the
 * update matches nothing (another handle wrote the run, or deleted it), the same transaction reads
 * the row and takes the general path, so the compare-and-set is always against the stored row.
 */
import { type DurableStore, InvalidArgumentError, type RunRecord } from '@cairn/core';
import { createAdapterKit, defineStore, pageOf } from '@cairn/core/adapter';
import { insertEntries, selectEntries } from './journal-rows.ts';
import { DEFAULT_MAX_PAYLOAD_BYTES, MAX_NAME_UNITS } from './limits.ts';
import { migrateTables } from './migrate.ts';
import { countRuns, deleteMatchingRuns, selectRunPage } from './run-queries.ts';
import { decodeRun, loadRun, recordOf, runExists, type StoredRun, writeRun, writeStep } from './run-rows.ts';
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

// Run rows kept per handle, at most this many (the one kept first is dropped first).
const KEPT_RUNS = 1000;

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

  // Rows as this handle last wrote or read them. Text only: nothing in it is shared with a caller,
  // and every record handed out is parsed afresh from it (`recordOf`), which also keeps header
  // fields this store has no column for (a later core's) as they went in.
  const kept = new Map<string, StoredRun>();
  function keep(stored: StoredRun): StoredRun {
    const runId = stored.row.run_id;
    const fresh = !kept.has(runId);
    kept.set(runId, stored);
    if (fresh && kept.size > KEPT_RUNS) kept.delete(kept.keys().next().value as string);
    return stored;
  }
  // Throwing inside transactionSync rolls it back; the kept row must then be read again.
  function inTransaction(runId: string, body: () => StoredRun): StoredRun {
    try {
      return keep(storage.transactionSync(body));
    } catch (error) {
      kept.delete(runId);
      throw error;
    }
  }

  // Every call does its work synchronously; the kit's wrapper makes it a Promise.
  return defineStore(kit, 'durable-objects', {
    createRun(record) {
      ensureMigrated();
      checkName(record.runId, 'workflow name', record.workflow);
      return recordOf(
        inTransaction(record.runId, () => {
          if (runExists(sql, tables, record.runId)) throw kit.exists(record.runId);
          return writeRun(sql, tables, record, null);
        }),
      );
    },

    getRun(runId) {
      ensureMigrated();
      const stored = loadRun(sql, tables, runId);
      if (!stored) {
        kept.delete(runId);
        return null;
      }
      return recordOf(keep(stored));
    },

    updateRun(runId, expectedVersion, patch) {
      ensureMigrated();
      const stored = inTransaction(runId, () => {
        const current = loadRun(sql, tables, runId);
        // applyPatch (in kit.updated) ignores identity fields and CAS tokens, whatever the patch holds.
        const updated = kit.updated(runId, current && recordOf(current), expectedVersion, patch);
        return writeRun(sql, tables, updated, current, changedFields(patch));
      });
      return recordOf(stored);
    },

    append(runId, expectedLastSeq, entries, patch) {
      ensureMigrated();
      for (const entry of entries) checkName(runId, 'entry key', entry.key);
      const held = kept.get(runId);
      const stored = inTransaction(runId, () => {
        // The kept row, if its lastSeq is the expected one and the patch changes no text field;
        // writeStep then writes only if the stored row is still the kept one.
        if (held && held.row.last_seq === expectedLastSeq && !changesText(patch)) {
          const updated = kit.appended(runId, recordOf(held), expectedLastSeq, entries.length, patch);
          const written = writeStep(sql, tables, updated, held);
          if (written) {
            insertEntries(sql, tables, runId, expectedLastSeq + 1, entries);
            return written;
          }
        }
        const current = loadRun(sql, tables, runId);
        const updated = kit.appended(runId, current && recordOf(current), expectedLastSeq, entries.length, patch);
        insertEntries(sql, tables, runId, expectedLastSeq + 1, entries);
        return writeRun(sql, tables, updated, current, changedFields(patch));
      });
      return recordOf(stored);
    },

    readEntries(runId, afterSeq, limit) {
      ensureMigrated();
      return selectEntries(sql, tables, runId, afterSeq, limit ?? -1);
    },

    listRuns(query, limit, position) {
      ensureMigrated();
      // One row more than the page tells whether there is a next page.
      const rows = selectRunPage(sql, tables, query, position, limit + 1);
      return pageOf(rows, limit, (row) => decodeRun(sql, tables, row));
    },

    deleteRuns(query) {
      ensureMigrated();
      kept.clear();
      return storage.transactionSync(() => deleteMatchingRuns(sql, tables, query));
    },

    stats() {
      ensureMigrated();
      return countRuns(sql, tables);
    },

    close() {
      kept.clear();
    },
  });
}

/** True when `patch` sets input, output or error. */
function changesText(patch: Partial<RunRecord> | undefined): boolean {
  return patch !== undefined && (patch.input !== undefined || patch.output !== undefined || patch.error !== undefined);
}

/** The long text fields a patch sets (the header is compared as a whole). */
function changedFields(patch: Partial<RunRecord> | undefined): Set<'input' | 'output' | 'error'> {
  const changed = new Set<'input' | 'output' | 'error'>();
  for (const field of ['input', 'output', 'error'] as const) if (patch?.[field] !== undefined) changed.add(field);
  return changed;
}
