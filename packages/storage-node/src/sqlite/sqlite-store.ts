/**
 * The SQLite store: `DurableStore` on the built-in `node:sqlite` (ADR 0030).
 *
 * Invariants:
 * - every read-modify-write is one `BEGIN IMMEDIATE` transaction: the CAS check and the write see
 *   the same state, and another connection (or process) can never slip in between;
 * - `append` is one transaction and one durable commit: check lastSeq, insert the entries, update
 *   only the header columns that changed, commit;
 * - the transaction runs synchronously inside one call, so calls of this process never interleave
 *   inside it; other processes wait on SQLite's lock (busy timeout), then fail retryably;
 * - a refused call (bad argument, oversize payload, lost CAS) writes nothing.
 */

import type { SQLInputValue } from 'node:sqlite';
import { type DurableStore, type RunPatch, type RunRecord, type RunStatus, StorageUnavailableError } from '@cairn/core';
import {
  copyRecord,
  defineStore,
  deleteFilterShape,
  listFilterShape,
  pageOf,
  type RunFilterShape,
  statsOf,
} from '@cairn/core/adapter';
import { createNodeStoreKit } from '../shared/adapter.ts';
import { checkEntries, checkNewRun, checkPatch } from '../shared/values.ts';
import { createCommitGroup } from './sqlite-commit-group.ts';
import { describeSqliteFailure } from './sqlite-errors.ts';
import { createHeaderCache } from './sqlite-header-cache.ts';
import { openSqliteDatabase, resolveBusyTimeout, resolveSynchronous, type SqliteSynchronous } from './sqlite-open.ts';
import {
  changeMask,
  type EntryRow,
  entryOf,
  headerValues,
  PAYLOAD_COLUMNS,
  payloadValues,
  type RunRow,
  recordOf,
  usageTextOf,
} from './sqlite-rows.ts';
import { sqliteTables } from './sqlite-schema.ts';
import { prepareStatements } from './sqlite-statements.ts';

/** Options of `createSqliteStore`. */
export interface CreateSqliteStoreOptions {
  /** Database file (created if missing). Two stores on one path are two connections to one database. */
  path: string;
  /**
   * `full` (default): each commit is fsync'd before the call resolves. `normal`: a commit survives a
   * process crash but the last ones may be lost on power loss (WAL keeps the file consistent).
   */
  synchronous?: SqliteSynchronous;
  /** Prefix of the store's tables, `/^[A-Za-z_][A-Za-z0-9_]{0,30}$/` (default `cairn_`). */
  tablePrefix?: string;
  /** How long a write waits for another connection's lock before failing retryably (default 5000 ms). */
  busyTimeoutMs?: number;
  /** Largest opaque string (input, output, error, payload) in UTF-8 bytes (default 64 MiB). */
  maxPayloadBytes?: number;
  /**
   * Open for reading only (inspection tools on a file or folder the process may not write): nothing
   * is migrated or written, the schema must be current, and `createRun`, `updateRun`, `append` and
   * `deleteRuns` reject with `StorageUnavailableError` (ADR 0028).
   */
  readOnly?: boolean;
  /**
   * Group commit (default \`true\`): the writes made in one event-loop turn — the steps of many
   * concurrent runs — commit in one transaction and share one WAL sync. Every call still resolves
   * only after the commit that holds it (durable with \`full\`), a refused call is rolled back alone,
   * and other connections see nothing before it is committed (ADR 0180). \`false\`: one transaction
   * per call.
   */
  groupCommit?: boolean;
}

/**
 * A `DurableStore` in a SQLite database file (WAL, `synchronous=FULL` by default).
 *
 * @example
 * const store = createSqliteStore({ path: './cairn.db' });
 * const runtime = createRuntime({ store, workflows: [greet] });
 */
export function createSqliteStore(options: CreateSqliteStoreOptions): DurableStore {
  const kit = createNodeStoreKit('sqlite', options.path, options.maxPayloadBytes, describeSqliteFailure);
  const tables = sqliteTables(options.tablePrefix);
  const db = openSqliteDatabase({
    path: options.path,
    synchronous: resolveSynchronous(options.synchronous),
    busyTimeoutMs: resolveBusyTimeout(options.busyTimeoutMs),
    tables,
    readOnly: options.readOnly === true,
  });
  const statements = prepareStatements(db, tables);
  const headers = createHeaderCache(db);
  const group =
    options.groupCommit === false || options.readOnly === true
      ? undefined
      : createCommitGroup(statements, {
          inTransaction: () => db.isTransaction,
          afterCommit: () => headers.publish(),
          afterRollback: () => headers.discard(),
        });

  function assertWritable(operation: string, runId: string | undefined): void {
    if (options.readOnly !== true) return;
    throw new StorageUnavailableError(
      kit.message(runId, `${operation} refused: the store ${JSON.stringify(options.path)} is open read-only`),
    );
  }

  function transaction<T>(body: () => T): T {
    statements.begin.run();
    try {
      const result = body();
      statements.commit.run();
      headers.publish();
      return result;
    } catch (error) {
      headers.discard();
      if (db.isTransaction) statements.rollback.run();
      throw error;
    }
  }

  // A write: its own transaction, or a savepoint in the next group transaction. Resolves after the
  // commit that holds it; the kit maps its failures like every call's.
  function write<T>(body: () => T): T | Promise<T> {
    return group ? group.run(body, asError) : transaction(body);
  }

  function selectRun(runId: string): RunRecord | null {
    const row = statements.selectRun.get(runId) as RunRow | undefined;
    return row ? recordOf(row) : null;
  }

  // Inside a write transaction: the run's current header, from the cache when no other
  // connection committed since (the common case of one writer per run), else from its row.
  function currentRun(runId: string): RunRecord | null {
    const cached = headers.lookup(runId);
    if (cached) return cached;
    const record = selectRun(runId);
    if (record) headers.remember(record);
    return record;
  }

  // Write `next` over `current` (made by applying `patch`), touching only the columns that differ.
  function persist(current: RunRecord, next: RunRecord, patch: RunPatch | undefined): void {
    const before = headerValues(current);
    // A patch without usage keeps the same usage object: reuse its JSON.
    const after = headerValues(next, next.usage === current.usage ? usageTextOf(before) : undefined);
    const headerMask = changeMask(before, after);
    if (headerMask !== 0) statements.updateHeader(headerMask).run(...after.filter((_, i) => headerMask & (1 << i)), next.runId);
    // Most patches (every step's) carry no payload: skip comparing (and re-serializing) them.
    if (patch === undefined || !PAYLOAD_COLUMNS.some((field) => field in patch)) return;
    const payloadsAfter = payloadValues(next);
    const payloadMask = changeMask(payloadValues(current), payloadsAfter);
    if (payloadMask !== 0)
      statements.updatePayloads(payloadMask).run(...payloadsAfter.filter((_, i) => payloadMask & (1 << i)), next.runId);
  }

  function filterParams(
    shape: RunFilterShape,
    query: { runIds?: string[]; status?: RunStatus[]; workflow?: string; updatedBefore?: number },
  ): SQLInputValue[] {
    const params: SQLInputValue[] = [];
    if (shape.runIds) params.push(JSON.stringify(query.runIds));
    if (shape.status) params.push(JSON.stringify(query.status));
    if (shape.workflow) params.push(query.workflow as string);
    if (shape.updatedBefore) params.push(query.updatedBefore as number);
    return params;
  }

  return defineStore(kit, 'sqlite', {
    createRun(record) {
      assertWritable('createRun', record.runId);
      checkNewRun(record);
      return settled(
        write(() => {
          const inserted = statements.insertRun.run(record.runId, record.workflow, record.createdAt, ...headerValues(record));
          if (inserted.changes === 0) throw kit.exists(record.runId);
          statements.insertPayloads.run(record.runId, ...payloadValues(record));
          const stored = copyRecord(record);
          headers.stage(stored);
          return stored;
        }),
      );
    },

    getRun: selectRun,

    updateRun(runId, expectedVersion, patch) {
      assertWritable('updateRun', runId);
      checkPatch(runId, patch);
      return settled(
        write(() => {
          const current = currentRun(runId);
          const updated = copyRecord(kit.updated(runId, current, expectedVersion, patch));
          persist(current as RunRecord, updated, patch);
          headers.stage(updated);
          return updated;
        }),
      );
    },

    append(runId, expectedLastSeq, entries, patch) {
      assertWritable('append', runId);
      checkEntries(runId, entries);
      checkPatch(runId, patch);
      return settled(
        write(() => {
          const current = currentRun(runId);
          const appended = copyRecord(kit.appended(runId, current, expectedLastSeq, entries.length, patch));
          let seq = expectedLastSeq;
          for (const entry of entries)
            statements.insertEntry.run(runId, ++seq, entry.kind, entry.key, entry.payload, entry.createdAt);
          persist(current as RunRecord, appended, patch);
          headers.stage(appended);
          return appended;
        }),
      );
    },

    readEntries(runId, afterSeq, limit) {
      // LIMIT -1 is SQLite's "no limit".
      const rows = statements.readEntries.all(runId, afterSeq, limit ?? -1) as unknown as EntryRow[];
      return rows.map(entryOf);
    },

    listRuns(query, limit, position) {
      const shape = listFilterShape(query, position);
      const params = filterParams(shape, query ?? {});
      if (position) params.push(position.createdAt, position.createdAt, position.runId);
      const rows = statements.listRuns(shape).all(...params, limit + 1) as unknown as RunRow[];
      return pageOf(rows, limit, recordOf);
    },

    deleteRuns(query) {
      assertWritable('deleteRuns', undefined);
      if (query.runIds?.length === 0 || query.status?.length === 0) return 0;
      const shape = deleteFilterShape(query);
      return write(() => {
        const rows = statements.matchRunIds(shape).all(...filterParams(shape, query)) as { run_id: string }[];
        if (rows.length === 0) return 0;
        const ids = rows.map((row) => row.run_id);
        headers.forget(ids);
        const idList = JSON.stringify(ids);
        statements.deleteEntries.run(idList);
        statements.deletePayloads.run(idList);
        statements.deleteRuns.run(idList);
        return rows.length;
      });
    },

    stats: () => statsOf(statements.countByStatus.all() as { status: RunStatus; count: number }[]),

    close: () => {
      // Writes already accepted commit (or fail) before the connection goes.
      group?.flush();
      db.close();
    },
  });
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

// The caller's copy of a stored header (the header cache keeps its own), once it is committed.
function settled(written: RunRecord | Promise<RunRecord>): RunRecord | Promise<RunRecord> {
  return written instanceof Promise ? written.then(copyRecord) : copyRecord(written);
}
