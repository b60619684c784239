/**
 * @cairn/storage-durable-objects — Cairn's store for Cloudflare Durable Objects (SQLite storage),
 * and a client that reaches such a store over Workers RPC.
 */

export type { CreateDurableObjectStoreOptions } from './durable-object-store.ts';
export { createDurableObjectStore } from './durable-object-store.ts';
export { DEFAULT_MAX_PAYLOAD_BYTES } from './limits.ts';
export type { MigrateDurableObjectStoreOptions, MigrationResult } from './migrate.ts';
export { migrateDurableObjectStore } from './migrate.ts';
export { DEFAULT_TABLE_PREFIX, SCHEMA_VERSION } from './schema.ts';
export type { DurableObjectSqlStorage, SqlCursor, SqlExecutor, SqlValue } from './sql-storage.ts';
export { isTransientStorageError } from './storage-errors.ts';
export type { CreateDurableObjectStoreClientOptions } from './store-client.ts';
export { createDurableObjectStoreClient, rebuildStoreError } from './store-client.ts';
export type { DurableStoreEndpoint, RemoteStoreMethod, StoreCallResult } from './store-endpoint.ts';
export { REMOTE_STORE_METHODS, serveStoreCall } from './store-endpoint.ts';
