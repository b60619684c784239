/**
 * What a store kind needs running while it is tortured, and its integrity check afterwards: a
 * private Postgres server (fsync on) for `postgres`, a private redis-server (appendfsync always) for `redis`; nothing for the file-based kinds.
 */
import { checkRedisIntegrity } from '@cairn/storage-redis';
import { startPostgresServer } from '@cairn/test-rigs/postgres-server';
import { startRedisServer } from '@cairn/test-rigs/redis-server';
import { checkFileStoreIntegrity } from '../../src/file/file-integrity.ts';
import { redisSpecOptions } from '../../src/remote-store.ts';
import type { IntegrityReport } from '../../src/shared/integrity-report.ts';
import { checkSqliteIntegrity } from '../../src/sqlite/sqlite-integrity.ts';
import { checkJournals } from '../test-support/store-kinds.ts';
import { openTortureStore, type TortureStoreKind } from './torture-stores.ts';

/** A started backend: its server URL (if any) and how to stop it. */
export interface TortureBackend {
  serverUrl?: string;
  stop(): Promise<void>;
}

/** Start what `kind` needs. */
export async function startTortureBackend(kind: TortureStoreKind): Promise<TortureBackend> {
  if (kind === 'postgres') {
    const server = await startPostgresServer();
    return { serverUrl: server.url, stop: () => server.remove() };
  }
  if (kind === 'redis') {
    const server = await startRedisServer({ label: 'torture' });
    return { serverUrl: server.url, stop: () => server.stop({ remove: true }) };
  }
  return { stop: async () => {} };
}

/** The integrity check of the store of `kind` at `location`. */
export async function checkTortureIntegrity(kind: TortureStoreKind, location: string): Promise<IntegrityReport> {
  if (kind === 'sqlite') return checkSqliteIntegrity(location);
  if (kind === 'file') return checkFileStoreIntegrity(location);
  if (kind === 'redis') return checkRedisIntegrity(redisSpecOptions(location));
  const store = openTortureStore(kind, location);
  try {
    return await checkJournals(store);
  } finally {
    await store.close();
  }
}
