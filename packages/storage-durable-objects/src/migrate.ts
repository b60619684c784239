/**
 * Bringing a Durable Object's SQLite database to the store's schema. Synchronous (the SQL API is),
 * idempotent, and safe to interrupt: each migration commits with its version row in one transaction.
 */
import { StorageUnavailableError } from '@cairn/core';
import type { TableNames } from './schema.ts';
import { ADAPTER, MIGRATIONS, SCHEMA_VERSION, tableNames } from './schema.ts';
import type { DurableObjectSqlStorage } from './sql-storage.ts';
import { toStoreError } from './storage-errors.ts';

/** Options of `migrateDurableObjectStore`. */
export interface MigrateDurableObjectStoreOptions {
  /** Prefix of the store's tables (default `cairn_`); must match the store's. */
  tablePrefix?: string;
}

/** Schema versions before and after a migration (equal when there was nothing to do). */
export interface MigrationResult {
  fromVersion: number;
  toVersion: number;
}

/** Apply pending migrations to the tables of `tables`. Throws Cairn errors only. */
export function migrateTables(storage: DurableObjectSqlStorage, tables: TableNames): MigrationResult {
  try {
    const { sql } = storage;
    sql.exec(`CREATE TABLE IF NOT EXISTS ${tables.migrations} (version INTEGER PRIMARY KEY, name TEXT NOT NULL)`);
    const current =
      sql.exec<{ version: number | null }>(`SELECT max(version) AS version FROM ${tables.migrations}`).one().version ?? 0;
    if (current > SCHEMA_VERSION) {
      // Written by a newer release: reading it with this one could silently drop data.
      throw new StorageUnavailableError(
        `[${ADAPTER}] tables "${tables.prefix}*" are at schema version ${current}, newer than the ${SCHEMA_VERSION} this version of the package supports; upgrade @cairn/storage-durable-objects`,
      );
    }
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      storage.transactionSync(() => {
        for (const statement of migration.statements(tables)) sql.exec(statement);
        sql.exec(`INSERT INTO ${tables.migrations} (version, name) VALUES (?, ?)`, migration.version, migration.name);
      });
    }
    return { fromVersion: current, toVersion: SCHEMA_VERSION };
  } catch (error) {
    throw toStoreError(error, 'migrate');
  }
}

/**
 * Create or upgrade the store's tables. Call it from the Durable Object's constructor inside
 * `ctx.blockConcurrencyWhile` so no request sees a half-migrated schema; `createDurableObjectStore`
 * also migrates on creation, so calling this is belt and braces, never required for correctness.
 *
 * @example
 * constructor(ctx: DurableObjectState, env: Env) {
 *   super(ctx, env);
 *   ctx.blockConcurrencyWhile(async () => migrateDurableObjectStore(ctx.storage));
 *   this.store = createDurableObjectStore(ctx.storage);
 * }
 */
export function migrateDurableObjectStore(
  storage: DurableObjectSqlStorage,
  options: MigrateDurableObjectStoreOptions = {},
): MigrationResult {
  return migrateTables(storage, tableNames(options.tablePrefix));
}
