/**
 * @cairn/storage-postgres — a Cairn `DurableStore` on PostgreSQL through `pg` (node-postgres), for
 * many Node processes sharing one journal. Passes the `@cairn/core` conformance suite against a
 * real server.
 *
 * @example
 * import { createPostgresStore } from '@cairn/storage-postgres';
 * const store = createPostgresStore({ connectionString: process.env.DATABASE_URL! });
 */

export { DEFAULT_MAX_PAYLOAD_BYTES, MAX_PAYLOAD_BYTES_CEILING } from './postgres-adapter.ts';
export { SCHEMA_VERSION } from './postgres-schema.ts';
export type { CreatePostgresStoreOptions } from './postgres-store.ts';
export { createPostgresStore } from './postgres-store.ts';
