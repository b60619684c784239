/**
 * @cairn/storage-node — durable stores for Node: SQLite on the built-in `node:sqlite`, and a
 * directory of append-only, checksummed journal files. Both implement `DurableStore` from
 * `@cairn/core` and pass its conformance suite.
 *
 * @example
 * import { createSqliteStore } from '@cairn/storage-node';
 * const store = createSqliteStore({ path: './cairn.db' });
 */

export { checkFileStoreIntegrity } from './file/file-integrity.ts';
export type { CreateFileStoreOptions } from './file/file-store.ts';
export { createFileStore } from './file/file-store.ts';
export type { OpenStoreOptions, StoreSpec } from './open-store.ts';
export { openStore, parseStoreSpec } from './open-store.ts';
export { DEFAULT_MAX_PAYLOAD_BYTES, MAX_PAYLOAD_BYTES_CEILING } from './shared/adapter.ts';
export type { IntegrityReport } from './shared/integrity-report.ts';
export type { CheckSqliteIntegrityOptions } from './sqlite/sqlite-integrity.ts';
export { checkSqliteIntegrity } from './sqlite/sqlite-integrity.ts';
export type { SqliteSynchronous } from './sqlite/sqlite-open.ts';
export type { CreateSqliteStoreOptions } from './sqlite/sqlite-store.ts';
export { createSqliteStore } from './sqlite/sqlite-store.ts';
