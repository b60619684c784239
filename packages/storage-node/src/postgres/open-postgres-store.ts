/**
 * A Postgres store behind `openStore`: `@cairn/storage-postgres` is an optional peer dependency,
 * loaded by dynamic import on the first call, so applications that never name a postgres:// store
 * never load `pg`. Until then the store answers `name` and `limits` itself; a missing package is
 * a clear, non-retryable error naming what to install.
 */
import type { DurableStore } from '@cairn/core';
import { StorageUnavailableError } from '@cairn/core';
import { ADAPTER, resolveMaxPayloadBytes } from '../shared/adapter.ts';
import type { PostgresSpec } from './postgres-spec.ts';

/** The store a parsed Postgres spec names. */
export function openPostgresStore(spec: PostgresSpec, options: { maxPayloadBytes?: number } = {}): DurableStore {
  const maxPayloadBytes = resolveMaxPayloadBytes(options.maxPayloadBytes);
  let loading: Promise<DurableStore> | undefined;
  let closed = false;
  const load = (): Promise<DurableStore> => {
    loading ??= import('@cairn/storage-postgres').then(
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
    );
    return loading;
  };
  const call =
    <A extends unknown[], R>(method: (store: DurableStore, ...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (closed) throw new StorageUnavailableError(`[${ADAPTER}] postgres store is closed`);
      return method(await load(), ...args);
    };
  return {
    name: 'postgres',
    limits: { maxPayloadBytes },
    createRun: call((store, run) => store.createRun(run)),
    getRun: call((store, runId) => store.getRun(runId)),
    updateRun: call((store, runId, expectedVersion, patch) => store.updateRun(runId, expectedVersion, patch)),
    append: call((store, runId, expectedLastSeq, entries, patch) => store.append(runId, expectedLastSeq, entries, patch)),
    readEntries: call((store, runId, options) => store.readEntries(runId, options)),
    listRuns: call((store, query) => store.listRuns(query)),
    deleteRuns: call((store, query) => store.deleteRuns(query)),
    stats: call((store) => store.stats()),
    async close() {
      if (closed) return;
      closed = true;
      const store = await loading?.catch(() => undefined);
      await store?.close();
    },
  };
}
