/**
 * The store kinds the torture harness runs on, in one place: how children and the verifier open
 * a store, where a named store lives, what checks its integrity afterwards, and what a kind needs
 * running while it is tortured (a private database server). A new kind is one entry in each map.
 * Imported by the bundled child: nothing here starts a server (see `startTortureBackend`).
 */
import { join } from 'node:path';
import type { DurableStore } from '@cairn/core';
import { createFileStore } from '../../src/file/file-store.ts';
import { openStore } from '../../src/open-store.ts';
import { deferredStore, redisSpecOptions } from '../../src/remote-store.ts';
import { DEFAULT_MAX_PAYLOAD_BYTES } from '../../src/shared/adapter.ts';
import { createSqliteStore } from '../../src/sqlite/sqlite-store.ts';

/** A store kind the torture runs on. */
export type TortureStoreKind = 'sqlite' | 'file' | 'postgres' | 'redis';

/** Every kind, for argument checks. */
export const TORTURE_STORE_KINDS: readonly TortureStoreKind[] = ['sqlite', 'file', 'postgres', 'redis'];

/**
 * Open a torture store. Children wait long for locks (a sibling may hold one while it is killed);
 * a server store is named by its `openStore` spec.
 */
export function openTortureStore(kind: TortureStoreKind, location: string, role: 'child' | 'reader' = 'reader'): DurableStore {
  if (kind === 'sqlite') return createSqliteStore({ path: location, ...(role === 'child' ? { busyTimeoutMs: 10_000 } : {}) });
  if (kind === 'file') return createFileStore({ dir: location, ...(role === 'child' ? { lockTimeoutMs: 20_000 } : {}) });
  if (kind === 'redis') {
    // Named literally so the bundled child carries the optional peer (openStore imports it by a variable name).
    const options = redisSpecOptions(location);
    return deferredStore('redis', DEFAULT_MAX_PAYLOAD_BYTES, () =>
      import('@cairn/storage-redis').then((redis) => redis.createRedisStore(options)),
    );
  }
  return openStore(location);
}

/** Where the store `name` of `kind` lives: a file or folder in `dir`, or a schema (Postgres) or key prefix (Redis) on `serverUrl`. */
export function tortureLocation(kind: TortureStoreKind, dir: string, name: string, serverUrl?: string): string {
  if (kind === 'sqlite') return join(dir, `${name}.db`);
  if (kind === 'file') return join(dir, name);
  if (serverUrl === undefined) throw new Error(`torture: a ${kind} store needs a server (startTortureBackend)`);
  if (kind === 'redis') return `${serverUrl}/0?prefix=${encodeURIComponent(`torture:${name}:`)}`;
  return `${serverUrl}?schema=torture_${name}`;
}
