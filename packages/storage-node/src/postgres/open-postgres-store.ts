/**
 * A Postgres store behind `openStore`: `@cairn/storage-postgres` is an optional peer dependency,
 * loaded by dynamic import on the first call, so applications that never name a postgres:// store
 * never load `pg`. Until then the store answers `name` and `limits` itself; a missing package is
 * a clear, non-retryable error naming what to install.
 */
import type { DurableStore } from '@cairn/core';
import { StorageUnavailableError } from '@cairn/core';
import { deferredStore } from '../remote-store.ts';
import { ADAPTER, resolveNodeMaxPayloadBytes } from '../shared/adapter.ts';
import type { PostgresSpec } from './postgres-spec.ts';

/** The store a parsed Postgres spec names. */
export function openPostgresStore(spec: PostgresSpec, options: { maxPayloadBytes?: number } = {}): DurableStore {
  const maxPayloadBytes = resolveNodeMaxPayloadBytes(options.maxPayloadBytes);
  return deferredStore('postgres', maxPayloadBytes, () =>
    import('@cairn/storage-postgres').then(
      ({ createPostgresStore }) =>
        createPostgresStore({
          connectionString: spec.url,
          maxPayloadBytes,
          ...(spec.schema === undefined ? {} : { schema: spec.schema }),
          ...(spec.tablePrefix === undefined ? {} : { tablePrefix: spec.tablePrefix }),
        }),
      (error: unknown) => {
        throw new StorageUnavailableError(
          `[${ADAPTER}] a postgres:// store needs the optional package @cairn/storage-postgres: install it beside @cairn/storage-node (npm install @cairn/storage-postgres)`,
          { cause: error },
        );
      },
    ),
  );
}
