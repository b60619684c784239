/**
 * Opening the store a command names — only if it exists. `openStore` creates a missing database
 * or directory, which is right for an application and wrong for a management tool: a typo in
 * `--store` must say "not found", not leave an empty store behind and report zero runs (ADR 0093).
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { CairnError, type DurableStore, StorageUnavailableError } from '@cairn/core';
import { createFileStore } from '../file/file-store.ts';
import { parseStoreSpec, STORE_SPEC_FORMS, type StoreSpec } from '../open-store.ts';
import { openPostgresStore } from '../postgres/open-postgres-store.ts';
import { openRedisStore } from '../remote-store.ts';
import { DEFAULT_MAX_PAYLOAD_BYTES } from '../shared/adapter.ts';
import { openReadOnlyDatabase } from '../sqlite/sqlite-open.ts';
import { SCHEMA_VERSION, schemaVersionOf, sqliteTables } from '../sqlite/sqlite-schema.ts';
import { createSqliteStore } from '../sqlite/sqlite-store.ts';
import { StoreNotFoundError, UsageError } from './cli-errors.ts';

/** The store spec from `--store`, else `CAIRN_STORE`. */
export function storeSpecOf(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): StoreSpec {
  const text = flag ?? env.CAIRN_STORE;
  if (text === undefined || text === '') {
    throw new UsageError(`no store given: pass --store ${STORE_SPEC_FORMS.join(' or --store ')}, or set CAIRN_STORE`);
  }
  try {
    return parseStoreSpec(text);
  } catch (error) {
    throw new UsageError(`--store: ${(error as Error).message.replace(/^\[@cairn\/storage-node\] /, '')}`, { cause: error });
  }
}

// A SQLite file that exists but holds no Cairn tables is not a store the CLI may migrate into.
// Returns the schema version it holds; reads without writing (a read-only file or folder works).
function cairnSchemaVersion(path: string): number {
  let db: DatabaseSync | undefined;
  try {
    db = openReadOnlyDatabase(path);
    const row = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'cairn_runs'").get() as {
      n: number;
    };
    if (row.n === 0) throw new StoreNotFoundError(`${JSON.stringify(path)} holds no Cairn store (no cairn_runs table)`);
    return schemaVersionOf(db, sqliteTables());
  } catch (error) {
    if (CairnError.is(error)) throw error;
    throw new StorageUnavailableError(
      `[@cairn/storage-node] cannot read ${JSON.stringify(path)} as a SQLite database: ${(error as Error).message}`,
      { cause: error },
    );
  } finally {
    db?.close();
  }
}

function canWrite(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    accessSync(dirname(path), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** How a command uses the store. */
export interface OpenStoreIntent {
  /** The command only reads (list, show, history, stats): never migrate a current schema. */
  readOnly: boolean;
}

/**
 * Open an existing store; `StoreNotFoundError` when there is none at the spec's path. A Postgres
 * spec names a database that exists or fails to connect with the server's own error (the store's
 * tables are created in it on first use, as by an application: ADR 0151). Read-only
 * commands open a SQLite store read-only when its schema is current (ADR 0028), so they work on
 * a file or folder they cannot write and never wait for a writer's lock.
 */
export function openExistingStore(spec: StoreSpec, intent: OpenStoreIntent = { readOnly: false }): DurableStore {
  if (spec.kind === 'postgres') return openPostgresStore(spec);
  // A Redis prefix with no runs yet is an empty store, not a missing one; the server checks itself.
  if (spec.kind === 'redis') return openRedisStore(spec.url, DEFAULT_MAX_PAYLOAD_BYTES);
  if (spec.kind === 'sqlite') {
    if (spec.path === ':memory:') throw new UsageError('--store sqlite::memory: is always empty: name a database file');
    if (!existsSync(spec.path)) throw new StoreNotFoundError(`no SQLite store at ${JSON.stringify(spec.path)} (no such file)`);
    if (statSync(spec.path).isDirectory())
      throw new StoreNotFoundError(`${JSON.stringify(spec.path)} is a directory; did you mean --store file:${spec.path}?`);
    const version = cairnSchemaVersion(spec.path);
    if (intent.readOnly && version === SCHEMA_VERSION) return createSqliteStore({ path: spec.path, readOnly: true });
    if (intent.readOnly && version < SCHEMA_VERSION && !canWrite(spec.path)) {
      throw new StorageUnavailableError(
        `[@cairn/storage-node] ${JSON.stringify(spec.path)} has schema version ${version}, older than ${SCHEMA_VERSION}: it must be migrated before this cairn can read it, and the file or its folder is read-only. Run cairn once with write access, or read it with the @cairn/storage-node version that wrote it`,
      );
    }
    return createSqliteStore({ path: spec.path });
  }
  if (!existsSync(spec.dir)) throw new StoreNotFoundError(`no file store at ${JSON.stringify(spec.dir)} (no such directory)`);
  if (!existsSync(join(spec.dir, 'cairn-store.json')))
    throw new StoreNotFoundError(`${JSON.stringify(spec.dir)} is not a Cairn file store (no cairn-store.json)`);
  return createFileStore({ dir: spec.dir });
}
