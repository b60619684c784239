/**
 * Stores on a server, named by a URL spec and loaded on demand (ADR 0162): `redis://` and
 * `rediss://` open `@cairn/storage-redis`, an optional peer, by dynamic import. The store is
 * returned at once and opens in the background; every call waits for the opening, so a refusal
 * (package missing, server unreachable, persistence too weak) is the rejection of the first call.
 */
import { type DurableStore, StorageUnavailableError } from '@cairn/core';
import { ADAPTER } from './shared/adapter.ts';

/** Spec options carried in the URL's query, removed before the URL is used. */
const REDIS_PARAMETERS = ['prefix', 'durability'] as const;

/**
 * A spec fit to print: whatever stands before an `@` after the scheme of a server spec (user and
 * password, with or without `//`) replaced by `***`. `sqlite:` and `file:` paths are shown as given.
 */
export function redactSpec(spec: string): string {
  if (/^(sqlite|file):/.test(spec)) return spec;
  return spec.replace(/^([a-z][a-z0-9+.-]*:(?:\/\/)?)[^/?#]*@/i, '$1***@');
}

/** What a `redis://` spec carries for `createRedisStore`. */
export interface RedisSpecOptions {
  url: string;
  prefix?: string;
  /** As written in the spec; `createRedisStore` refuses anything but these two. */
  durability?: 'fsync-always' | 'relaxed';
}

/** The `@cairn/storage-redis` options of a `redis://` spec: the URL without its query, and the query's options. */
export function redisSpecOptions(url: string): RedisSpecOptions {
  const parsed = new URL(url);
  const options: RedisSpecOptions = { url };
  const prefix = parsed.searchParams.get('prefix');
  const durability = parsed.searchParams.get('durability');
  if (prefix !== null) options.prefix = prefix;
  if (durability !== null) options.durability = durability as RedisSpecOptions['durability'];
  for (const name of REDIS_PARAMETERS) parsed.searchParams.delete(name);
  options.url = parsed.toString();
  return options;
}

type RedisModule = { createRedisStore(options: object): Promise<DurableStore> };

async function importRedis(): Promise<RedisModule> {
  // A variable specifier keeps bundlers and tsc from requiring the optional peer.
  const name = '@cairn/storage-redis';
  try {
    return (await import(name)) as RedisModule;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new StorageUnavailableError(
      `[${ADAPTER}] redis:// stores need the optional package @cairn/storage-redis: npm i @cairn/storage-redis`,
      { cause: error, adapter: ADAPTER },
    );
  }
}

/** Open the Redis store a `redis://` spec names, with `maxPayloadBytes` already resolved. */
export function openRedisStore(url: string, maxPayloadBytes: number): DurableStore {
  return deferredStore('redis', maxPayloadBytes, () =>
    importRedis().then((module) => module.createRedisStore({ ...redisSpecOptions(url), maxPayloadBytes })),
  );
}

/**
 * A store that opens with `open` on its first call (server stores behind `openStore`: the optional
 * peer is imported only when used). `name` and `limits` answer at once; every call waits for the
 * opening, so its refusal is the rejection of that call; after `close` every call is refused, and
 * `close` closes whatever opened (nothing if the opening failed).
 */
export function deferredStore(name: string, maxPayloadBytes: number, open: () => Promise<DurableStore>): DurableStore {
  let opening: Promise<DurableStore> | undefined;
  let closed = false;
  const later =
    <A extends unknown[], R>(call: (store: DurableStore, ...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (closed) throw new StorageUnavailableError(`[${ADAPTER}] ${name} store is closed`, { adapter: ADAPTER });
      opening ??= open();
      return call(await opening, ...args);
    };
  return {
    name,
    limits: { maxPayloadBytes },
    createRun: later((store, run) => store.createRun(run)),
    getRun: later((store, runId) => store.getRun(runId)),
    updateRun: later((store, runId, expectedVersion, patch) => store.updateRun(runId, expectedVersion, patch)),
    append: later((store, runId, expectedLastSeq, entries, patch) => store.append(runId, expectedLastSeq, entries, patch)),
    readEntries: later((store, runId, options) => store.readEntries(runId, options)),
    listRuns: later((store, query) => store.listRuns(query)),
    deleteRuns: later((store, query) => store.deleteRuns(query)),
    stats: later((store) => store.stats()),
    async close() {
      if (closed) return;
      closed = true;
      const store = await opening?.catch(() => undefined);
      await store?.close();
    },
  };
}
