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
import {
  applyPatch,
  assertAppendArguments,
  assertDeleteQuery,
  assertRunId,
  assertUpdateArguments,
  conflictError,
  type DurableStore,
  decodeCursor,
  emptyStats,
  encodeCursor,
  listLimit,
  notFoundError,
  RunExistsError,
  type RunPatch,
  type RunRecord,
  type RunStatus,
  readRange,
  StorageUnavailableError,
} from '@cairn/core';
import { ADAPTER, resolveMaxPayloadBytes } from '../shared/adapter.ts';
import { checkEntries, checkNewRun, checkPatch, normalizeRecord } from '../shared/values.ts';
import { createCommitGroup } from './sqlite-commit-group.ts';
import { toStoreError } from './sqlite-errors.ts';
import { createHeaderCache } from './sqlite-header-cache.ts';
import { openSqliteDatabase, resolveBusyTimeout, resolveSynchronous, type SqliteSynchronous } from './sqlite-open.ts';
import {
  changeMask,
  type EntryRow,
  entryOf,
  headerValues,
  payloadValues,
  type RunRow,
  recordOf,
  usageTextOf,
} from './sqlite-rows.ts';
import { sqliteTables } from './sqlite-schema.ts';
import { prepareStatements, type RunFilterShape } from './sqlite-statements.ts';

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
  const maxPayloadBytes = resolveMaxPayloadBytes(options.maxPayloadBytes);
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
  let closed = false;

  function ensureOpen(): void {
    if (closed) throw new StorageUnavailableError(`[${ADAPTER}] sqlite store ${JSON.stringify(options.path)} is closed`);
  }

  // Every call body runs here: closed check first, then failures mapped to the contract's errors.
  function guarded<T>(operation: string, runId: string | undefined, body: () => T): T {
    ensureOpen();
    try {
      return body();
    } catch (error) {
      throw toStoreError(error, operation, runId);
    }
  }

  function assertWritable(operation: string, runId: string | undefined): void {
    if (options.readOnly !== true) return;
    const about = runId === undefined ? '' : ` run "${runId}":`;
    throw new StorageUnavailableError(
      `[${ADAPTER}] sqlite${about} ${operation} refused: the store ${JSON.stringify(options.path)} is open read-only`,
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
  // commit that holds it; failures are mapped like every call's.
  function write<T>(operation: string, runId: string | undefined, body: () => T): Promise<T> {
    if (!group) return Promise.resolve(transaction(body));
    return group.run(body, (error) => toStoreError(error, operation, runId));
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

  // Write `next` over `current`, touching only the columns that differ.
  function persist(current: RunRecord, next: RunRecord): void {
    const before = headerValues(current);
    // A patch without usage keeps the same usage object: reuse its JSON.
    const after = headerValues(next, next.usage === current.usage ? usageTextOf(before) : undefined);
    const headerMask = changeMask(before, after);
    if (headerMask !== 0) statements.updateHeader(headerMask).run(...after.filter((_, i) => headerMask & (1 << i)), next.runId);
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

  return {
    name: 'sqlite',
    limits: { maxPayloadBytes },

    async createRun(run) {
      return guarded('createRun', run?.runId, () => {
        assertWritable('createRun', run?.runId);
        const record = checkNewRun(run, maxPayloadBytes);
        return write('createRun', record.runId, () => {
          const inserted = statements.insertRun.run(record.runId, record.workflow, record.createdAt, ...headerValues(record));
          if (inserted.changes === 0) throw new RunExistsError(`[${ADAPTER}] run "${record.runId}" already exists`);
          statements.insertPayloads.run(record.runId, ...payloadValues(record));
          headers.stage(record);
          return record;
        }).then(normalizeRecord);
      });
    },

    async getRun(runId) {
      return guarded('getRun', runId, () => {
        assertRunId(runId, ADAPTER);
        return selectRun(runId);
      });
    },

    async updateRun(runId, expectedVersion, patch: RunPatch) {
      return guarded('updateRun', runId, () => {
        assertWritable('updateRun', runId);
        assertUpdateArguments(ADAPTER, runId, expectedVersion);
        checkPatch(runId, patch, maxPayloadBytes);
        return write('updateRun', runId, () => {
          const current = currentRun(runId);
          if (!current) throw notFoundError(ADAPTER, runId);
          if (current.version !== expectedVersion)
            throw conflictError(ADAPTER, runId, 'version', expectedVersion, current.version);
          const updated = normalizeRecord({ ...applyPatch(current, patch), version: current.version + 1 });
          persist(current, updated);
          headers.stage(updated);
          return updated;
        }).then(normalizeRecord);
      });
    },

    async append(runId, expectedLastSeq, entries, patch) {
      return guarded('append', runId, () => {
        assertWritable('append', runId);
        assertAppendArguments(ADAPTER, runId, expectedLastSeq, entries);
        checkEntries(runId, entries, maxPayloadBytes);
        checkPatch(runId, patch, maxPayloadBytes);
        return write('append', runId, () => {
          const current = currentRun(runId);
          if (!current) throw notFoundError(ADAPTER, runId);
          if (current.lastSeq !== expectedLastSeq)
            throw conflictError(ADAPTER, runId, 'lastSeq', expectedLastSeq, current.lastSeq);
          let seq = expectedLastSeq;
          for (const entry of entries)
            statements.insertEntry.run(runId, ++seq, entry.kind, entry.key, entry.payload, entry.createdAt);
          const appended = normalizeRecord({ ...applyPatch(current, patch), lastSeq: seq });
          persist(current, appended);
          headers.stage(appended);
          return appended;
        }).then(normalizeRecord);
      });
    },

    async readEntries(runId, readOptions) {
      return guarded('readEntries', runId, () => {
        const { afterSeq, limit } = readRange(ADAPTER, runId, readOptions);
        // LIMIT -1 is SQLite's "no limit".
        const rows = statements.readEntries.all(runId, afterSeq, limit ?? -1) as unknown as EntryRow[];
        return rows.map(entryOf);
      });
    },

    async listRuns(query) {
      return guarded('listRuns', undefined, () => {
        const limit = listLimit(query, ADAPTER);
        const position = query?.cursor === undefined ? undefined : decodeCursor(query.cursor, ADAPTER);
        const shape: RunFilterShape = {
          runIds: false,
          status: query?.status !== undefined,
          workflow: query?.workflow !== undefined,
          updatedBefore: query?.updatedBefore !== undefined,
          cursor: position !== undefined,
        };
        const params = filterParams(shape, query ?? {});
        if (position) params.push(position.createdAt, position.createdAt, position.runId);
        const rows = statements.listRuns(shape).all(...params, limit + 1) as unknown as RunRow[];
        const runs = rows.slice(0, limit).map(recordOf);
        const last = runs[runs.length - 1];
        return rows.length > limit && last ? { runs, cursor: encodeCursor(last) } : { runs };
      });
    },

    async deleteRuns(query) {
      return guarded('deleteRuns', undefined, () => {
        assertWritable('deleteRuns', undefined);
        assertDeleteQuery(query, ADAPTER);
        if (query.runIds?.length === 0 || query.status?.length === 0) return 0;
        const shape: RunFilterShape = {
          runIds: query.runIds !== undefined,
          status: query.status !== undefined,
          workflow: false,
          updatedBefore: query.updatedBefore !== undefined,
          cursor: false,
        };
        return write('deleteRuns', undefined, () => {
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
      });
    },

    async stats() {
      return guarded('stats', undefined, () => {
        const stats = emptyStats();
        for (const row of statements.countByStatus.all() as { status: RunStatus; count: number }[]) {
          stats.byStatus[row.status] = row.count;
          stats.total += row.count;
        }
        return stats;
      });
    },

    async close() {
      if (closed) return;
      closed = true;
      // Writes already accepted commit (or fail) before the connection goes.
      group?.flush();
      try {
        db.close();
      } catch (error) {
        throw toStoreError(error, 'close');
      }
    },
  };
}
