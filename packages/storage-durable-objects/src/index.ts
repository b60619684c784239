/**
 * @cairn/storage-durable-objects — Cairn's store for Cloudflare Durable Objects (SQLite storage), a
 * client that reaches such a store over Workers RPC, and a run host that runs workflows and agents
 * inside an object, woken by its alarm.
 */

export type { AlarmStorage } from './alarm-schedule.ts';
export { bearerAuth } from './bearer-auth.ts';
export type { CreateDurableObjectStoreOptions } from './durable-object-store.ts';
export { createDurableObjectStore } from './durable-object-store.ts';
export type {
  HostCallResult,
  ListRunsOptions,
  RunHostApi,
  RunHostEndpoint,
  RunHostMethod,
  StartRunOptions,
} from './host-api.ts';
export { RUN_HOST_METHODS, serveHostCall } from './host-api.ts';
export { createRunHostClient, rebuildHostError } from './host-client.ts';
export { DEFAULT_MAX_PAYLOAD_BYTES } from './limits.ts';
export type { MigrateDurableObjectStoreOptions, MigrationResult } from './migrate.ts';
export { migrateDurableObjectStore } from './migrate.ts';
export type { NamedObjects } from './routing.ts';
export { runObject, tenantObject } from './routing.ts';
export type { CreateRunHostOptions, HostAlarmReport, RunHost, RunHostState } from './run-host.ts';
export { createRunHost } from './run-host.ts';
export type { HandleRunsRequestOptions } from './runs-http-api.ts';
export { handleRunsRequest } from './runs-http-api.ts';
export type { EventStreamRouteOptions } from './runs-http-streams.ts';
export { DEFAULT_TABLE_PREFIX, SCHEMA_VERSION } from './schema.ts';
export type { DurableObjectSqlStorage, SqlCursor, SqlExecutor, SqlValue } from './sql-storage.ts';
export { isTransientStorageError } from './storage-errors.ts';
export type { CreateDurableObjectStoreClientOptions } from './store-client.ts';
export { createDurableObjectStoreClient, rebuildStoreError } from './store-client.ts';
export type { DurableStoreEndpoint, RemoteStoreMethod, StoreCallResult } from './store-endpoint.ts';
export { REMOTE_STORE_METHODS, serveStoreCall } from './store-endpoint.ts';
