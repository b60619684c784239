/**
 * Table names and numbered migrations of the SQLite store (ADR 0030).
 *
 * Invariants:
 * - identifiers come only from a validated prefix, never from data: no identifier injection;
 * - migrations run inside one `BEGIN IMMEDIATE` transaction that first reads which versions are
 *   applied, so two processes opening a fresh file at once apply each migration exactly once;
 * - every statement is also idempotent (`IF NOT EXISTS`), so a half-recorded migration cannot wedge;
 * - a database migrated by a newer package is refused instead of being written with an old schema.
 */
import type { DatabaseSync } from 'node:sqlite';
import { InvalidArgumentError, StorageUnavailableError } from '@cairn/core';
import { ADAPTER } from '../shared/adapter.ts';

/** What a table prefix may look like. */
export const TABLE_PREFIX_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,30}$/;

/** The default table prefix. */
export const DEFAULT_TABLE_PREFIX = 'cairn_';

/** Names of the store's tables (and the prefix their indexes share). */
export interface SqliteTables {
  readonly prefix: string;
  readonly migrations: string;
  /** Run headers: small rows rewritten by every append. */
  readonly runs: string;
  /** Input, output and error of each run: large, written rarely, kept out of the hot row. */
  readonly payloads: string;
  readonly entries: string;
}

/** Table names for `prefix` (validated; `InvalidArgumentError` otherwise). */
export function sqliteTables(prefix: string = DEFAULT_TABLE_PREFIX): SqliteTables {
  if (typeof prefix !== 'string' || !TABLE_PREFIX_PATTERN.test(prefix)) {
    throw new InvalidArgumentError(
      `[${ADAPTER}] tablePrefix must match ${TABLE_PREFIX_PATTERN}, got ${JSON.stringify(String(prefix).slice(0, 40))}`,
    );
  }
  // SQLite refuses to create any table or index whose name starts with "sqlite_" (in any case).
  if (prefix.toLowerCase().startsWith('sqlite_')) {
    throw new InvalidArgumentError(
      `[${ADAPTER}] tablePrefix ${JSON.stringify(prefix)} starts with "sqlite_", which SQLite reserves for its own tables: pick another prefix`,
    );
  }
  return {
    prefix,
    migrations: `${prefix}migrations`,
    runs: `${prefix}runs`,
    payloads: `${prefix}run_payloads`,
    entries: `${prefix}entries`,
  };
}

interface Migration {
  version: number;
  name: string;
  statements(tables: SqliteTables): string[];
}

/** Every migration, in order. Append new ones; never edit a released one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    statements: ({ prefix, runs, payloads, entries }) => [
      // WITHOUT ROWID: one b-tree keyed by run id, so an append rewrites one small row in one page.
      `CREATE TABLE IF NOT EXISTS ${runs} (
        run_id TEXT NOT NULL PRIMARY KEY,
        workflow TEXT NOT NULL,
        status TEXT NOT NULL,
        pause_reason TEXT,
        wake_at INTEGER,
        version INTEGER NOT NULL,
        last_seq INTEGER NOT NULL,
        lease_owner TEXT,
        lease_expires_at INTEGER,
        usage TEXT NOT NULL,
        step_index INTEGER NOT NULL,
        step_name TEXT,
        cancel_requested INTEGER NOT NULL,
        forked_from_run_id TEXT,
        forked_from_seq INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) WITHOUT ROWID`,
      `CREATE TABLE IF NOT EXISTS ${payloads} (
        run_id TEXT NOT NULL PRIMARY KEY,
        input TEXT NOT NULL,
        output TEXT,
        error TEXT
      )`,
      // A rowid table: new rows always go at the end of the b-tree (SQLite's cheapest insert, and
      // payloads up to ~4 KB stay on the leaf page); the unique index keeps seq dense-able and
      // serves the ranged read of one run's journal (ADR 0030).
      `CREATE TABLE IF NOT EXISTS ${entries} (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at INTEGER NOT NULL
      )`,
      `CREATE UNIQUE INDEX IF NOT EXISTS ${prefix}entries_by_run ON ${entries} (run_id, seq)`,
      // Listing order is (created_at desc, run_id desc); status and workflow filters have an index in
      // that order. No index contains updated_at: every append moves it, and an index on it would
      // cost one more page per commit (ADR 0030); `updatedBefore` filters rows found by these.
      `CREATE INDEX IF NOT EXISTS ${prefix}runs_by_age ON ${runs} (created_at DESC, run_id DESC)`,
      `CREATE INDEX IF NOT EXISTS ${prefix}runs_by_status ON ${runs} (status, created_at DESC, run_id DESC)`,
      `CREATE INDEX IF NOT EXISTS ${prefix}runs_by_workflow ON ${runs} (workflow, created_at DESC, run_id DESC)`,
    ],
  },
  {
    version: 2,
    name: 'run metadata, retention and attempts',
    // ALTER TABLE has no IF NOT EXISTS: these rely on the migration transaction (statements and the
    // version record commit together, so a migration is never half applied).
    statements: ({ runs, payloads }) => [
      // Small and rarely changed: the expiry sits in the header row; the metadata map (up to a few
      // KB) with the other rarely written texts, out of the row every append rewrites.
      `ALTER TABLE ${runs} ADD COLUMN expires_at INTEGER`,
      `ALTER TABLE ${runs} ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1`,
      `ALTER TABLE ${payloads} ADD COLUMN metadata TEXT`,
    ],
  },
];

/** The newest schema version this package knows. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** The schema version recorded in `db` (0 when the store's tables were never created). */
export function schemaVersionOf(db: DatabaseSync, tables: SqliteTables): number {
  const table = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(tables.migrations);
  if (!table) return 0;
  const row = db.prepare(`SELECT max(version) AS version FROM ${tables.migrations}`).get() as { version: number | null };
  return row.version ?? 0;
}

/** Apply every missing migration in one immediate transaction; returns the versions applied. */
export function migrate(db: DatabaseSync, tables: SqliteTables, location: string): number[] {
  const applied: number[] = [];
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec(`CREATE TABLE IF NOT EXISTS ${tables.migrations} (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL)`);
    const row = db.prepare(`SELECT max(version) AS version FROM ${tables.migrations}`).get() as { version: number | null };
    const current = row.version ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new StorageUnavailableError(
        `[${ADAPTER}] sqlite database ${JSON.stringify(location)} has schema version ${current}, newer than the ${SCHEMA_VERSION} this package knows: upgrade @cairn/storage-node`,
      );
    }
    const record = db.prepare(`INSERT INTO ${tables.migrations} (version, name) VALUES (?, ?)`);
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      for (const statement of migration.statements(tables)) db.exec(statement);
      record.run(migration.version, migration.name);
      applied.push(migration.version);
    }
    db.exec('COMMIT');
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
  return applied;
}
