/**
 * A conformance harness over a real redis-server: each store gets a fresh key prefix on the shared
 * server, `peer` is a second connection with the same prefix, `reopen` closes and connects again.
 */
import type { DurableStore } from '@cairn/core';
import type { StoreHarness } from '@cairn/core/testing';
import { Redis } from 'ioredis';
import { type CreateRedisStoreOptions, createRedisStore } from '../src/index.ts';

/** Options every store of a harness is opened with (the URL and prefix are the harness's). */
export type HarnessOptions = Omit<CreateRedisStoreOptions, 'url' | 'client' | 'prefix' | 'host' | 'port'> & {
  prefixStem?: string;
};

/** A harness named `name` on the server at `url`. */
export function redisHarness(name: string, url: string, options: HarnessOptions = {}): StoreHarness {
  const { prefixStem = 'conformance', ...storeOptions } = options;
  const prefixOf = new WeakMap<DurableStore, string>();
  const opened: DurableStore[] = [];
  const prefixes: string[] = [];
  const open = async (prefix: string): Promise<DurableStore> => {
    const store = await createRedisStore({ ...storeOptions, url, prefix } as CreateRedisStoreOptions);
    prefixOf.set(store, prefix);
    opened.push(store);
    return store;
  };
  const prefixFor = (store: DurableStore): string => {
    const prefix = prefixOf.get(store);
    if (prefix === undefined) throw new Error('store was not opened by this harness');
    return prefix;
  };
  return {
    name,
    timeoutMs: 60_000,
    create: async () => {
      const prefix = `${prefixStem}:${crypto.randomUUID()}:`;
      prefixes.push(prefix);
      return open(prefix);
    },
    peer: async (store) => open(prefixFor(store)),
    reopen: async (store) => {
      await store.close();
      return open(prefixFor(store));
    },
    cleanup: async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
      await deleteKeys(url, prefixes.splice(0));
    },
  };
}

// Remove every key under the prefixes (glob characters in a prefix matched literally).
async function deleteKeys(url: string, prefixes: string[]): Promise<void> {
  if (prefixes.length === 0) return;
  const client = new Redis(url);
  try {
    for (const prefix of prefixes) {
      let cursor = '0';
      do {
        const [next, found] = await client.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 1000);
        if (found.length > 0) await client.del(...found);
        cursor = next;
      } while (cursor !== '0');
    }
  } finally {
    client.disconnect();
  }
}
