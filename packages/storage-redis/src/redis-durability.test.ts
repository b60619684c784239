// Acknowledged must mean durable: a server whose persistence is below appendonly yes + appendfsync
// always is refused at open with an error naming what is wrong, unless the user opts into
// `durability: 'relaxed'`; a server where CONFIG is disabled needs the operator's declaration; a
// reconnect to a server whose persistence dropped stops writes; credentials never reach a message.
import { CairnError, type DurableStore } from '@cairn/core';
import { newRunFixture } from '@cairn/core/testing';
import { type RedisServer, startRedisServer } from '@cairn/test-rigs/redis-server';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { type CreateRedisStoreOptions, createRedisStore } from './index.ts';

const servers: RedisServer[] = [];
afterAll(() => Promise.all(servers.map((server) => server.stop({ remove: true }))));

async function server(config: Record<string, string>): Promise<RedisServer> {
  const started = await startRedisServer({ label: 'durability', config });
  servers.push(started);
  return started;
}

async function refusal(options: CreateRedisStoreOptions): Promise<CairnError> {
  const outcome = await createRedisStore(options).then(
    async (store: DurableStore) => {
      await store.close();
      return undefined;
    },
    (error: unknown) => error,
  );
  if (!CairnError.is(outcome, 'storage-unavailable')) throw new Error(`expected a refusal, got ${String(outcome)}`);
  return outcome;
}

async function keyCount(url: string): Promise<number> {
  const client = new Redis(url);
  try {
    return await client.dbsize();
  } finally {
    client.disconnect();
  }
}

describe('persistence check at open', () => {
  it('refuses appendonly no, naming the setting and the way out, and writes nothing', async () => {
    const weak = await server({ appendonly: 'no' });
    const error = await refusal({ url: weak.url });
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/^\[@cairn\/storage-redis\] /);
    expect(error.message).toContain('appendonly is "no", not "yes"');
    expect(error.message).toContain("durability: 'relaxed'");
    expect(await keyCount(weak.url)).toBe(0);
  });

  it('refuses appendfsync everysec, and opens it with durability: relaxed', async () => {
    const everysec = await server({ appendfsync: 'everysec' });
    const error = await refusal({ url: everysec.url });
    expect(error.message).toContain('appendfsync is "everysec", not "always"');
    expect(error.message).not.toContain('appendonly is');
    const store = await createRedisStore({ url: everysec.url, durability: 'relaxed' });
    await store.createRun(newRunFixture('run-1'));
    expect((await store.getRun('run-1'))?.runId).toBe('run-1');
    await store.close();
  });

  it('where CONFIG is renamed away, refuses and says how to declare the persistence; the declaration opens it', async () => {
    const managed = await server({ 'rename-command': 'CONFIG ""' });
    const error = await refusal({ url: managed.url });
    expect(error.message).toContain('CONFIG GET failed');
    expect(error.message).toContain("declaredPersistence: 'appendfsync-always'");
    const store = await createRedisStore({ url: managed.url, declaredPersistence: 'appendfsync-always' });
    await store.createRun(newRunFixture('run-1'));
    await store.close();
  });

  it('a declaration never overrides what CONFIG says', async () => {
    const everysec = await server({ appendfsync: 'everysec' });
    const error = await refusal({ url: everysec.url, declaredPersistence: 'appendfsync-always' });
    expect(error.message).toContain('appendfsync is "everysec"');
  });

  it('after a reconnect to a server whose persistence was lowered, calls are refused and nothing is written', async () => {
    const target = await server({});
    const store = await createRedisStore({ url: target.url, prefix: 'lowered:' });
    await store.createRun(newRunFixture('run-1'));
    const admin = new Redis(target.url);
    try {
      await admin.config('SET', 'appendfsync', 'everysec');
      await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
      // The first call either beats the news of the drop or is cut by it; either way the drop is seen.
      const first = await store.getRun('run-1').catch((caught: unknown) => caught);
      expect((first as { runId?: string }).runId === 'run-1' || CairnError.is(first, 'storage-unavailable')).toBe(true);
      const error = await store.append('run-1', 0, [{ kind: 'step-end', key: 'a#0', payload: '1', createdAt: 1 }]).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(CairnError.is(error, 'storage-unavailable'), String(error)).toBe(true);
      expect((error as Error).message).toContain('appendfsync is "everysec"');
      expect(await admin.llen('lowered:log:run-1')).toBe(0);
    } finally {
      admin.disconnect();
      await store.close();
    }
  });

  it('never prints a password: not from a URL, not from the password option', async () => {
    const locked = await server({ requirepass: 'pass-for-the-test' });
    const secret = 's3cr3t-never-printed';
    const wrongUrl = await refusal({ url: `redis://admin:${secret}@127.0.0.1:${locked.port}` });
    const wrongOption = await refusal({ host: '127.0.0.1', port: locked.port, password: secret });
    for (const error of [wrongUrl, wrongOption]) {
      expect(error.message).not.toContain(secret);
      expect(String((error.cause as Error | undefined)?.message ?? '')).not.toContain(secret);
    }
    const store = await createRedisStore({ url: `redis://:pass-for-the-test@127.0.0.1:${locked.port}/3` });
    await store.createRun(newRunFixture('run-1'));
    await store.close();
  });

  it('refuses bad options naming the option', async () => {
    for (const [options, named] of [
      [{ url: 'http://127.0.0.1:1' }, 'url must start with redis://'],
      [{ url: 'redis://127.0.0.1:1', ttl: 0 }, 'ttl must be'],
      [{ url: 'redis://127.0.0.1:1', ttl: 1.5 }, 'ttl must be'],
      [{ url: 'redis://127.0.0.1:1', maxPayloadBytes: 0 }, 'maxPayloadBytes must be'],
      [{ url: 'redis://127.0.0.1:1', durability: 'fast' }, 'durability must be'],
      [{ host: '127.0.0.1', port: 1, db: -1 }, 'db must be'],
    ] as const) {
      const error = await createRedisStore(options as CreateRedisStoreOptions).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(CairnError.is(error, 'invalid-argument'), String(error)).toBe(true);
      expect((error as Error).message).toContain(named);
    }
  });
});
