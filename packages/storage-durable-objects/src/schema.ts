/**
 * Table names and the numbered migrations of the store's schema. Migrations are append-only: a
 * released migration is never edited, a change is a new number. Each migration commits with its
 * version row in one transaction (`migrate.ts`), so one interrupted by an eviction left nothing
 * behind and simply runs again; version 1's statements are also idempotent (`IF NOT EXISTS`).
 */
import { InvalidArgumentError } from '@cairn/core';

/** The package name, first in every error message. */
export const ADAPTER = '@cairn/storage-durable-objects';

/** Default prefix of the store's tables, so they never collide with an application's own tables. */
export const DEFAULT_TABLE_PREFIX = 'cairn_';

// Letters first: SQLite identifiers must not start with a digit, and Cloudflare reserves `_cf_`.
const PREFIX_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

/** The names of the store's tables for one prefix. */
export interface TableNames {
  readonly prefix: string;
  readonly migrations: string;
  readonly runs: string;
  readonly entries: string;
  readonly chunks: string;
}

/** Table names for `prefix`; `InvalidArgumentError` unless it is a safe SQL identifier prefix. */
export function tableNames(prefix: string = DEFAULT_TABLE_PREFIX): TableNames {
  if (typeof prefix !== 'string' || !PREFIX_PATTERN.test(prefix)) {
    throw new InvalidArgumentError(
      `[${ADAPTER}] tablePrefix must match ${PREFIX_PATTERN} (a letter, then up to 31 letters, digits or _), got ${JSON.stringify(String(prefix).slice(0, 40))}`,
    );
  }
  return {
    prefix,
    migrations: `${prefix}migrations`,
    runs: `${prefix}runs`,
    entries: `${prefix}entries`,
    chunks: `${prefix}chunks`,
  };
}

/** One schema change. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  statements(tables: TableNames): string[];
}

/**
 * Every migration, in order. Layout (ADR 0050): a text field that is too long for its row is stored
 * as numbered pieces in `chunks` under a slot (the entry's seq, or a negative number for a run field)
 * and its column holds NULL with `*_parts` > 0.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'create-runs-entries-chunks',
    statements: ({ prefix, runs, entries, chunks }) => [
      `CREATE TABLE IF NOT EXISTS ${runs} (
        run_id TEXT PRIMARY KEY,
        workflow TEXT NOT NULL,
        status TEXT NOT NULL,
        version INTEGER NOT NULL,
        last_seq INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        wake_at INTEGER,
        header TEXT, header_parts INTEGER NOT NULL DEFAULT 0,
        input TEXT, input_parts INTEGER NOT NULL DEFAULT 0,
        output TEXT, output_parts INTEGER NOT NULL DEFAULT 0,
        error TEXT, error_parts INTEGER NOT NULL DEFAULT 0
      )`,
      `CREATE TABLE IF NOT EXISTS ${entries} (
        run_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        payload TEXT, payload_parts INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (run_id, seq)
      )`,
      `CREATE TABLE IF NOT EXISTS ${chunks} (
        run_id TEXT NOT NULL,
        slot INTEGER NOT NULL,
        part INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (run_id, slot, part)
      )`,
      // Listing is newest first, optionally by status or workflow; cleanup filters on updated_at;
      // the run host's alarm asks for the earliest wake_at.
      `CREATE INDEX IF NOT EXISTS ${prefix}runs_by_created ON ${runs} (created_at DESC, run_id DESC)`,
      `CREATE INDEX IF NOT EXISTS ${prefix}runs_by_status ON ${runs} (status, created_at DESC, run_id DESC)`,
      `CREATE INDEX IF NOT EXISTS ${prefix}runs_by_workflow ON ${runs} (workflow, created_at DESC, run_id DESC)`,
      `CREATE INDEX IF NOT EXISTS ${prefix}runs_by_updated ON ${runs} (updated_at)`,
      `CREATE INDEX IF NOT EXISTS ${prefix}runs_by_wake ON ${runs} (wake_at) WHERE wake_at IS NOT NULL`,
    ],
  },
  {
    // ADR 0185: every write of a run row moves its stamp, so a store handle that cached the row
    // (its header and texts) can tell, in the statement that writes the next step, whether anyone
    // else wrote it since. Runs of version 1 start at 0; the first write moves them.
    version: 2,
    name: 'add-runs-stamp',
    statements: ({ runs }) => [`ALTER TABLE ${runs} ADD COLUMN stamp INTEGER NOT NULL DEFAULT 0`],
  },
];

/** The schema version this package writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
