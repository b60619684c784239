/**
 * A conformance harness over a real redis-server: each store gets a fresh key prefix on the shared
 * server, `peer` is a second connection with the same prefix, `reopen` closes and connects again.
 */
import { defineStoreHarness, type StoreHarness } from '@cairn/core/testing';
import { Redis } from 'ioredis';
import { type CreateRedisStoreOptions, createRedisStore } from '../src/index.ts';

/** Options every store of a harness is opened with (the URL and prefix are the harness's). */
export type HarnessOptions = Omit<CreateRedisStoreOptions, 'url' | 'client' | 'prefix' | 'host' | 'port'> & {
  prefixStem?: string;
};

/** A harness named `name` on the server at `url`. */
export function redisHarness(name: string, url: string, options: HarnessOptions = {}): StoreHarness {
  const { prefixStem = 'conformance', ...storeOptions } = options;
  return defineStoreHarness({
    name,
    timeoutMs: 60_000,
    create: () => `${prefixStem}:${crypto.randomUUID()}:`,
    open: (prefix) => createRedisStore({ ...storeOptions, url, prefix } as CreateRedisStoreOptions),
    remove: (prefix) => deleteKeys(url, [prefix]),
  });
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
