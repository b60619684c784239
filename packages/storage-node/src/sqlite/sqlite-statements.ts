/**
 * The prepared statements of one SQLite handle. Fixed statements are prepared once at open; the
 * few whose SQL depends on the call's shape (which columns changed, which filters are set) are
 * prepared on first use and cached by shape, so steady-state calls never parse SQL. Shapes are
 * bounded (a bit mask of 14 columns, 5 filter flags), and values are always bound, never spliced.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { filterShapeKey, type RunFilterShape } from '@cairn/core/adapter';
import { HEADER_COLUMNS, PAYLOAD_COLUMNS, RUN_ROW_COLUMNS } from './sqlite-rows.ts';
import type { SqliteTables } from './sqlite-schema.ts';

/** Statements of one handle. */
export interface SqliteStatements {
  readonly begin: StatementSync;
  readonly commit: StatementSync;
  readonly rollback: StatementSync;
  /** One call of a group commit: `SAVEPOINT`, `RELEASE`, `ROLLBACK TO` (ADR 0180). */
  readonly savepoint: StatementSync;
  readonly release: StatementSync;
  readonly rollbackToSavepoint: StatementSync;
  readonly selectRun: StatementSync;
  readonly insertRun: StatementSync;
  readonly insertPayloads: StatementSync;
  readonly insertEntry: StatementSync;
  /** Rows are arrays: [seq, kind, key, payload, created_at]. */
  readonly readEntries: StatementSync;
  readonly countByStatus: StatementSync;
  readonly deleteEntries: StatementSync;
  readonly deletePayloads: StatementSync;
  readonly deleteRuns: StatementSync;
  /** `UPDATE runs SET <changed header columns> WHERE run_id = ?`. */
  updateHeader(mask: number): StatementSync;
  /** `UPDATE payloads SET <changed payload columns> WHERE run_id = ?`. */
  updatePayloads(mask: number): StatementSync;
  /** Listing page: rows in listing order, `LIMIT ?` bound last. */
  listRuns(shape: RunFilterShape): StatementSync;
  /** Ids of the runs matching a delete query. */
  matchRunIds(shape: RunFilterShape): StatementSync;
}

function whereOf(shape: RunFilterShape): string {
  const conditions: string[] = [];
  // json_each keeps one SQL text per shape whatever the list length, and binds ids as values.
  if (shape.runIds) conditions.push('r.run_id IN (SELECT value FROM json_each(?))');
  if (shape.status) conditions.push('r.status IN (SELECT value FROM json_each(?))');
  if (shape.workflow) conditions.push('r.workflow = ?');
  if (shape.updatedBefore) conditions.push('r.updated_at < ?');
  if (shape.cursor) conditions.push('(r.created_at < ? OR (r.created_at = ? AND r.run_id < ?))');
  return conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
}

// Rows as arrays: node:sqlite builds them about twice as fast as objects with named fields, which
// matters when a resume reads thousands of entries.
function arrays(statement: StatementSync): StatementSync {
  statement.setReturnArrays(true);
  return statement;
}

function cached<K>(cache: Map<K, StatementSync>, key: K, build: () => StatementSync): StatementSync {
  let statement = cache.get(key);
  if (!statement) {
    statement = build();
    cache.set(key, statement);
  }
  return statement;
}

/** Prepare the statements of a handle on a migrated database. */
export function prepareStatements(db: DatabaseSync, tables: SqliteTables): SqliteStatements {
  const { runs, payloads, entries } = tables;
  const headerUpdates = new Map<number, StatementSync>();
  const payloadUpdates = new Map<number, StatementSync>();
  const lists = new Map<number, StatementSync>();
  const matches = new Map<number, StatementSync>();
  const setList = (columns: readonly string[], mask: number) =>
    columns
      .filter((_, index) => mask & (1 << index))
      .map((column) => `${column} = ?`)
      .join(', ');

  return {
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    savepoint: db.prepare('SAVEPOINT cairn_call'),
    release: db.prepare('RELEASE cairn_call'),
    rollbackToSavepoint: db.prepare('ROLLBACK TO cairn_call'),
    selectRun: db.prepare(
      `SELECT ${RUN_ROW_COLUMNS} FROM ${runs} r JOIN ${payloads} p ON p.run_id = r.run_id WHERE r.run_id = ?`,
    ),
    insertRun: db.prepare(
      `INSERT INTO ${runs} (run_id, workflow, created_at, ${HEADER_COLUMNS.join(', ')}) VALUES (?, ?, ?, ${HEADER_COLUMNS.map(() => '?').join(', ')}) ON CONFLICT (run_id) DO NOTHING`,
    ),
    insertPayloads: db.prepare(
      `INSERT INTO ${payloads} (run_id, ${PAYLOAD_COLUMNS.join(', ')}) VALUES (?, ${PAYLOAD_COLUMNS.map(() => '?').join(', ')})`,
    ),
    insertEntry: db.prepare(`INSERT INTO ${entries} (run_id, seq, kind, key, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)`),
    readEntries: arrays(
      db.prepare(`SELECT seq, kind, key, payload, created_at FROM ${entries} WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?`),
    ),
    countByStatus: db.prepare(`SELECT status, count(*) AS count FROM ${runs} GROUP BY status`),
    deleteEntries: db.prepare(`DELETE FROM ${entries} WHERE run_id IN (SELECT value FROM json_each(?))`),
    deletePayloads: db.prepare(`DELETE FROM ${payloads} WHERE run_id IN (SELECT value FROM json_each(?))`),
    deleteRuns: db.prepare(`DELETE FROM ${runs} WHERE run_id IN (SELECT value FROM json_each(?))`),
    updateHeader: (mask) =>
      cached(headerUpdates, mask, () => db.prepare(`UPDATE ${runs} SET ${setList(HEADER_COLUMNS, mask)} WHERE run_id = ?`)),
    updatePayloads: (mask) =>
      cached(payloadUpdates, mask, () => db.prepare(`UPDATE ${payloads} SET ${setList(PAYLOAD_COLUMNS, mask)} WHERE run_id = ?`)),
    listRuns: (shape) =>
      cached(lists, filterShapeKey(shape), () =>
        db.prepare(
          `SELECT ${RUN_ROW_COLUMNS} FROM ${runs} r JOIN ${payloads} p ON p.run_id = r.run_id ${whereOf(shape)} ORDER BY r.created_at DESC, r.run_id DESC LIMIT ?`,
        ),
      ),
    matchRunIds: (shape) =>
      cached(matches, filterShapeKey(shape), () => db.prepare(`SELECT r.run_id FROM ${runs} r ${whereOf(shape)}`)),
  };
}
