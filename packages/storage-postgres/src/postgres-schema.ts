/**
 * Names and numbered migrations of the Postgres store (ADR 0150).
 *
 * Invariants:
 * - identifiers come only from a validated `schema` and `tablePrefix` and are always quoted by one
 *   rule (`quoteIdentifier`); no value is ever spliced into SQL;
 * - migrations run in one transaction holding a transaction-scoped advisory lock keyed by the
 *   schema and prefix, so processes opening a fresh database at once apply each migration once;
 * - a database migrated by a newer package is refused instead of being written with an old schema.
 */
import { InvalidArgumentError, StorageUnavailableError } from '@cairn/core';
import type { PoolClient } from 'pg';
import { ADAPTER } from './postgres-adapter.ts';

/** What a schema name may look like (unquoted-identifier characters, Postgres' 63-byte limit). */
export const SCHEMA_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/** What a table prefix may look like (short enough that every table and index name fits 63 bytes). */
export const TABLE_PREFIX_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,30}$/;

/** The fixed quoting rule of every identifier: double quotes, inner quotes doubled. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Qualified, quoted names of the store's tables. */
export interface PostgresTables {
  readonly schema: string;
  readonly prefix: string;
  /** Key of the advisory lock migrations take (a parameter, hashed by the server). */
  readonly lockKey: string;
  readonly migrations: string;
  /** Run headers: small rows rewritten by every append. */
  readonly runs: string;
  /** Input, output, error and metadata of each run: large, written rarely. */
  readonly payloads: string;
  readonly entries: string;
  /** A quoted index name in the store's schema. */
  index(name: string): string;
}

function check(what: string, value: unknown, pattern: RegExp): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new InvalidArgumentError(
      `[${ADAPTER}] ${what} must match ${pattern}, got ${JSON.stringify(String(value).slice(0, 80))}`,
    );
  }
  if (value.toLowerCase().startsWith('pg_')) {
    throw new InvalidArgumentError(`[${ADAPTER}] ${what} ${JSON.stringify(value)} starts with "pg_", which Postgres reserves`);
  }
  return value;
}

/** Table names for a schema and prefix (validated; `InvalidArgumentError` otherwise). */
export function postgresTables(schema = 'public', prefix = 'cairn_'): PostgresTables {
  const s = check('schema', schema, SCHEMA_PATTERN);
  const p = check('tablePrefix', prefix, TABLE_PREFIX_PATTERN);
  const table = (name: string) => `${quoteIdentifier(s)}.${quoteIdentifier(`${p}${name}`)}`;
  return {
    schema: s,
    prefix: p,
    lockKey: `cairn-migrations:${s}.${p}`,
    migrations: table('migrations'),
    runs: table('runs'),
    payloads: table('run_payloads'),
    entries: table('entries'),
    index: (name) => quoteIdentifier(`${p}${name}`),
  };
}

interface Migration {
  version: number;
  name: string;
  statements(tables: PostgresTables): string[];
}

/** Every migration, in order. Append new ones; never edit a released one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    // Times are float8 (any finite JS number round-trips exactly); counters int8. run_id sorts
    // bytewise (COLLATE "C") so listing order is the contract's whatever the database locale.
    // Opaque strings are bytea: Postgres text cannot hold U+0000, which payloads may.
    statements: ({ runs, payloads, entries, index }) => [
      `CREATE TABLE IF NOT EXISTS ${runs} (
        run_id text COLLATE "C" NOT NULL PRIMARY KEY,
        workflow text NOT NULL,
        status text NOT NULL,
        pause_reason text,
        wake_at float8,
        version int8 NOT NULL,
        last_seq int8 NOT NULL,
        lease_owner text,
        lease_expires_at float8,
        usage text NOT NULL,
        step_index float8 NOT NULL,
        step_name text,
        cancel_requested boolean NOT NULL,
        forked_from_run_id text,
        forked_from_seq float8,
        expires_at float8,
        attempt int8 NOT NULL,
        payload_version int8 NOT NULL DEFAULT 0,
        created_at float8 NOT NULL,
        updated_at float8 NOT NULL
      )`,
      `CREATE TABLE IF NOT EXISTS ${payloads} (
        run_id text COLLATE "C" NOT NULL PRIMARY KEY,
        input bytea NOT NULL,
        output bytea,
        error bytea,
        metadata text
      )`,
      `CREATE TABLE IF NOT EXISTS ${entries} (
        run_id text COLLATE "C" NOT NULL,
        seq int8 NOT NULL,
        kind text NOT NULL,
        key text NOT NULL,
        payload bytea NOT NULL,
        created_at float8 NOT NULL,
        PRIMARY KEY (run_id, seq)
      )`,
      // Listing order is (created_at desc, run_id desc): backward scans of these. No index holds
      // updated_at: every append moves it, and an index on it would cost a write per commit.
      `CREATE INDEX IF NOT EXISTS ${index('runs_by_age')} ON ${runs} (created_at, run_id)`,
      `CREATE INDEX IF NOT EXISTS ${index('runs_by_status')} ON ${runs} (status, created_at, run_id)`,
      `CREATE INDEX IF NOT EXISTS ${index('runs_by_workflow')} ON ${runs} (workflow, created_at, run_id)`,
    ],
  },
];

/** The newest schema version this package knows. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Apply every missing migration on `client` in one locked transaction; returns the versions applied. */
export async function migrate(client: PoolClient, tables: PostgresTables): Promise<number[]> {
  const applied: number[] = [];
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [tables.lockKey]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(tables.schema)}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${tables.migrations} (version int4 PRIMARY KEY, name text NOT NULL)`);
    const { rows } = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${tables.migrations}`);
    const current = rows[0]?.version ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new StorageUnavailableError(
        `[${ADAPTER}] schema ${JSON.stringify(tables.schema)} (prefix ${JSON.stringify(tables.prefix)}) has schema version ${current}, newer than the ${SCHEMA_VERSION} this package knows: upgrade @cairn/storage-postgres`,
      );
    }
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      for (const statement of migration.statements(tables)) await client.query(statement);
      await client.query(`INSERT INTO ${tables.migrations} (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return applied;
}
