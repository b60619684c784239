/**
 * Opening a SQLite database for the store: connection, pragmas, migrations.
 *
 * Invariants:
 * - WAL mode, so readers never block the writer and a commit is one append to the WAL;
 * - `synchronous=FULL` unless the caller opts into `NORMAL` (ADR 0030): with FULL every commit is
 *   fsync'd before `append` resolves; with NORMAL a commit survives a process crash but the last
 *   ones may be lost on power loss (the database stays consistent either way);
 * - the busy timeout is set before anything else touches the file, so two processes opening (and
 *   migrating) one database at once wait for each other instead of failing.
 */
import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';
import { InvalidArgumentError, StorageUnavailableError } from '@cairn/core';
import { ADAPTER } from '../shared/adapter.ts';
import { isBusy, sqliteResultCode, toStoreError } from './sqlite-errors.ts';
import { migrate, SCHEMA_VERSION, type SqliteTables, schemaVersionOf } from './sqlite-schema.ts';

/** How durable a commit is: `full` (default) or `normal` (see ADR 0030). */
export type SqliteSynchronous = 'full' | 'normal';

/** What `openSqliteDatabase` needs. */
export interface OpenSqliteOptions {
  path: string;
  synchronous: SqliteSynchronous;
  busyTimeoutMs: number;
  tables: SqliteTables;
  /** Open without writing anything: no WAL switch, no migration; the schema must be current. */
  readOnly?: boolean;
}

const SQLITE_READONLY = 8;

/**
 * Open `path` read-only. A WAL database needs its `-shm` file; when that cannot be created (a
 * read-only folder) and no `-wal` file exists — so no writer has the database open, since a
 * writer keeps both files while connected — the file is opened `immutable`, which reads it
 * without any shared memory (ADR 0028).
 */
export function openReadOnlyDatabase(path: string, busyTimeoutMs = 5000): DatabaseSync {
  const db = new DatabaseSync(path, { timeout: busyTimeoutMs, readOnly: true });
  try {
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    return db;
  } catch (error) {
    db.close();
    if (sqliteResultCode(error) !== SQLITE_READONLY || path === ':memory:' || existsSync(`${path}-wal`)) throw error;
  }
  const url = pathToFileURL(path);
  url.searchParams.set('immutable', '1');
  return new DatabaseSync(url, { readOnly: true });
}

/** Throw unless the schema of the read-only `db` is the one this package writes. */
function assertSchemaCurrent(db: DatabaseSync, tables: SqliteTables, path: string): void {
  const version = schemaVersionOf(db, tables);
  if (version === SCHEMA_VERSION) return;
  const relation = version < SCHEMA_VERSION ? 'older' : 'newer';
  const remedy =
    version < SCHEMA_VERSION
      ? 'a read-only connection cannot migrate it: open the store once with write access'
      : 'upgrade @cairn/storage-node';
  throw new StorageUnavailableError(
    `[${ADAPTER}] sqlite database ${JSON.stringify(path)} has schema version ${version}, ${relation} than the ${SCHEMA_VERSION} this package reads; ${remedy}`,
  );
}

/** Validate a `busyTimeoutMs` option; returns the effective value (default 5 s). */
export function resolveBusyTimeout(value: number | undefined): number {
  if (value === undefined) return 5000;
  if (!Number.isInteger(value) || value < 0 || value > 2 ** 31 - 1) {
    throw new InvalidArgumentError(`[${ADAPTER}] busyTimeoutMs must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

/** Validate a `synchronous` option. */
export function resolveSynchronous(value: string | undefined): SqliteSynchronous {
  if (value === undefined) return 'full';
  if (value !== 'full' && value !== 'normal') {
    throw new InvalidArgumentError(
      `[${ADAPTER}] synchronous must be 'full' or 'normal', got ${JSON.stringify(String(value).slice(0, 20))}`,
    );
  }
  return value;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

// Some first-time steps (switching to WAL) can report SQLITE_BUSY without waiting on the busy
// handler; opening is synchronous, so wait synchronously and bounded.
function retryBusy<T>(busyTimeoutMs: number, step: () => T): T {
  const deadline = Date.now() + Math.max(busyTimeoutMs, 100);
  for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
    try {
      return step();
    } catch (error) {
      if (!isBusy(error) || Date.now() + delay > deadline) throw error;
      Atomics.wait(pause, 0, 0, delay);
    }
  }
}

/** Open, configure and migrate a database; failures become `StorageUnavailableError`. */
export function openSqliteDatabase(options: OpenSqliteOptions): DatabaseSync {
  const { path, busyTimeoutMs, tables } = options;
  if (typeof path !== 'string' || path.length === 0) {
    throw new InvalidArgumentError(`[${ADAPTER}] sqlite store needs a non-empty path`);
  }
  let db: DatabaseSync | undefined;
  try {
    if (options.readOnly) {
      db = openReadOnlyDatabase(path, busyTimeoutMs);
      assertSchemaCurrent(db, tables, path);
      return db;
    }
    db = new DatabaseSync(path, { timeout: busyTimeoutMs });
    const opened = db;
    const mode = retryBusy(busyTimeoutMs, () => opened.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode: string });
    if (mode.journal_mode !== 'wal' && path !== ':memory:') {
      throw new StorageUnavailableError(
        `[${ADAPTER}] sqlite database ${JSON.stringify(path)} cannot use WAL mode (journal_mode is ${mode.journal_mode})`,
      );
    }
    opened.exec(`PRAGMA synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    retryBusy(busyTimeoutMs, () => migrate(opened, tables, path));
    return opened;
  } catch (error) {
    try {
      db?.close();
    } catch {
      // Already failing: the first error is the one worth reporting.
    }
    throw toStoreError(error, `opening ${JSON.stringify(path)}`);
  }
}
