/**
 * The Durable Object store: runs and journals in the object's embedded SQLite database. Every
 * compare-and-set runs in one `transactionSync` (read the run, compare, insert rows, update the run),
 * so nothing interleaves with it and a failure leaves no trace. The surface is async, as the
 * contract requires, but each call does its work synchronously before its promise settles.
 */
import type { DurableStore, RunRecord } from '@cairn/core';
import {
  applyPatch,
  assertAppendArguments,
  assertDeleteQuery,
  assertPatchFields,
  assertPayloadSizes,
  assertRunId,
  assertUpdateArguments,
  conflictError,
  decodeCursor,
  encodeCursor,
  InvalidArgumentError,
  initialRecord,
  listLimit,
  notFoundError,
  RunExistsError,
  readRange,
  StorageUnavailableError,
} from '@cairn/core';
import { insertEntries, selectEntries } from './journal-rows.ts';
import { DEFAULT_MAX_PAYLOAD_BYTES, MAX_NAME_UNITS } from './limits.ts';
import { migrateTables } from './migrate.ts';
import { countRuns, deleteMatchingRuns, selectRunPage } from './run-queries.ts';
import { decodeRun, loadRun, runExists, writeRun } from './run-rows.ts';
import { ADAPTER, tableNames } from './schema.ts';
import type { DurableObjectSqlStorage } from './sql-storage.ts';
import { toStoreError } from './storage-errors.ts';

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
  const maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  if (!Number.isSafeInteger(maxPayloadBytes) || maxPayloadBytes < 1) {
    throw new InvalidArgumentError(`[${ADAPTER}] maxPayloadBytes must be a positive integer, got ${maxPayloadBytes}`);
  }
  const { sql } = storage;
  let closed = false;
  let migrated = false;
  try {
    migrateTables(storage, tables);
    migrated = true;
  } catch {
    // Reported by the first call instead: a constructor that throws leaves the object unusable.
  }

  /** Run `body` with the store open and migrated; every failure becomes a contract error. */
  function call<T>(operation: string, runId: unknown, body: () => T): Promise<T> {
    try {
      if (closed) throw new StorageUnavailableError(`[${ADAPTER}] store is closed`);
      if (!migrated) {
        migrateTables(storage, tables);
        migrated = true;
      }
      return Promise.resolve(body());
    } catch (error) {
      return Promise.reject(toStoreError(error, operation, typeof runId === 'string' ? runId : undefined));
    }
  }

  function checkName(runId: string, what: string, name: unknown): void {
    if (typeof name !== 'string' || name.length > MAX_NAME_UNITS) {
      throw new InvalidArgumentError(
        `[${ADAPTER}] run "${runId}": ${what} must be a string of at most ${MAX_NAME_UNITS} characters`,
      );
    }
  }

  /** A copy the caller may mutate without touching what the next call returns. */
  const detach = (record: RunRecord): RunRecord => structuredClone(record);

  return {
    name: 'durable-objects',
    limits: { maxPayloadBytes },

    createRun(run) {
      return call('createRun', run?.runId, () => {
        const record = initialRecord(run, ADAPTER);
        checkName(record.runId, 'workflow name', record.workflow);
        assertPayloadSizes(ADAPTER, record.runId, maxPayloadBytes, record);
        storage.transactionSync(() => {
          if (runExists(sql, tables, record.runId)) throw new RunExistsError(`[${ADAPTER}] run "${record.runId}" already exists`);
          writeRun(sql, tables, record, null);
        });
        return detach(record);
      });
    },

    getRun(runId) {
      return call('getRun', runId, () => {
        assertRunId(runId, ADAPTER);
        return loadRun(sql, tables, runId)?.record ?? null;
      });
    },

    updateRun(runId, expectedVersion, patch) {
      return call('updateRun', runId, () => {
        assertUpdateArguments(ADAPTER, runId, expectedVersion);
        assertPayloadSizes(ADAPTER, runId, maxPayloadBytes, patch);
        assertPatchFields(ADAPTER, runId, patch);
        const next = storage.transactionSync(() => {
          const current = loadRun(sql, tables, runId);
          if (!current) throw notFoundError(ADAPTER, runId);
          const { record } = current;
          if (record.version !== expectedVersion) throw conflictError(ADAPTER, runId, 'version', expectedVersion, record.version);
          // applyPatch ignores identity fields and CAS tokens, whatever the patch holds at runtime.
          const updated: RunRecord = { ...applyPatch(record, patch), version: record.version + 1 };
          writeRun(sql, tables, updated, current, changedFields(patch));
          return updated;
        });
        return detach(next);
      });
    },

    append(runId, expectedLastSeq, entries, patch) {
      return call('append', runId, () => {
        assertAppendArguments(ADAPTER, runId, expectedLastSeq, entries);
        for (const entry of entries) checkName(runId, 'entry key', entry.key);
        assertPayloadSizes(ADAPTER, runId, maxPayloadBytes, patch, entries);
        assertPatchFields(ADAPTER, runId, patch);
        const next = storage.transactionSync(() => {
          const current = loadRun(sql, tables, runId);
          if (!current) throw notFoundError(ADAPTER, runId);
          const { record } = current;
          if (record.lastSeq !== expectedLastSeq) throw conflictError(ADAPTER, runId, 'lastSeq', expectedLastSeq, record.lastSeq);
          insertEntries(sql, tables, runId, expectedLastSeq + 1, entries);
          const updated: RunRecord = { ...applyPatch(record, patch), lastSeq: expectedLastSeq + entries.length };
          writeRun(sql, tables, updated, current, changedFields(patch));
          return updated;
        });
        return detach(next);
      });
    },

    readEntries(runId, readOptions = {}) {
      return call('readEntries', runId, () => {
        const { afterSeq, limit } = readRange(ADAPTER, runId, readOptions);
        return selectEntries(sql, tables, runId, afterSeq, limit ?? -1);
      });
    },

    listRuns(query) {
      return call('listRuns', undefined, () => {
        const limit = listLimit(query, ADAPTER);
        const position = query?.cursor === undefined ? undefined : decodeCursor(query.cursor, ADAPTER);
        // One row more than the page tells whether there is a next page.
        const rows = selectRunPage(sql, tables, query, position, limit + 1);
        const runs = rows.slice(0, limit).map((row) => decodeRun(sql, tables, row).record);
        const last = runs[runs.length - 1];
        return rows.length > limit && last ? { runs, cursor: encodeCursor(last) } : { runs };
      });
    },

    deleteRuns(query) {
      return call('deleteRuns', undefined, () => {
        assertDeleteQuery(query, ADAPTER);
        return storage.transactionSync(() => deleteMatchingRuns(sql, tables, query));
      });
    },

    stats() {
      return call('stats', undefined, () => countRuns(sql, tables));
    },

    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}

/** The long text fields a patch sets (the header is compared as a whole). */
function changedFields(patch: Partial<RunRecord> | undefined): Set<'input' | 'output' | 'error'> {
  const changed = new Set<'input' | 'output' | 'error'>();
  for (const field of ['input', 'output', 'error'] as const) if (patch?.[field] !== undefined) changed.add(field);
  return changed;
}
