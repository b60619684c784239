// openStore / parseStoreSpec with redis:// specs against a real redis-server: the spec's options,
// the store opening on first use, refusals through the first call, and credentials never shown.
import { CairnError } from '@cairn/core';
import { newRunFixture } from '@cairn/core/testing';
import { startRedisServer } from '@cairn/test-rigs/redis-server';
import { describe, expect, inject, it } from 'vitest';
import { openStore, parseStoreSpec } from './open-store.ts';
import { redactSpec, redisSpecOptions } from './remote-store.ts';

const url = inject('redisUrl');

describe('openStore with redis://', () => {
  it('parses redis:// and rediss:// URLs and takes prefix and durability from the query', () => {
    expect(parseStoreSpec('redis://127.0.0.1:6379/2')).toStrictEqual({ kind: 'redis', url: 'redis://127.0.0.1:6379/2' });
    expect(parseStoreSpec('rediss://cache.example:6380')).toStrictEqual({ kind: 'redis', url: 'rediss://cache.example:6380' });
    expect(redisSpecOptions('redis://:pw@h:1/3?prefix=app%3A&durability=relaxed')).toStrictEqual({
      url: 'redis://:pw@h:1/3',
      prefix: 'app:',
      durability: 'relaxed',
    });
  });

  it('never shows credentials in a refusal of a malformed spec', () => {
    expect(redactSpec('redis://user:hunter2@host:1/0')).toBe('redis://***@host:1/0');
    for (const spec of ['redis://user:hunter2@', 'redis:user:hunter2@host', 'redis://:hunter2@/0']) {
      let error: unknown;
      try {
        parseStoreSpec(spec);
      } catch (caught) {
        error = caught;
      }
      expect(CairnError.is(error, 'invalid-argument'), spec).toBe(true);
      expect((error as Error).message, spec).not.toContain('hunter2');
    }
  });

  it('opens the store on first use, with the prefix of the spec, and a second open sees the same runs', async () => {
    const prefix = `open-store-${crypto.randomUUID()}:`;
    const spec = `${url}/0?prefix=${encodeURIComponent(prefix)}`;
    const store = openStore(spec, { maxPayloadBytes: 4096 });
    expect(store.name).toBe('redis');
    expect(store.limits.maxPayloadBytes).toBe(4096);
    await store.createRun(newRunFixture('run-1'));
    await store.close();
    const again = openStore(spec);
    expect((await again.getRun('run-1'))?.runId).toBe('run-1');
    expect((await openStore(`${url}/0?prefix=other:`).listRuns()).runs).toStrictEqual([]);
    await again.close();
  });

  it('rejects the first call when the server refuses (weak persistence), naming the setting; relaxed opens', async () => {
    const weak = await startRedisServer({ label: 'open-store-weak', config: { appendfsync: 'everysec' } });
    try {
      const store = openStore(weak.url);
      const error = await store.stats().catch((caught: unknown) => caught);
      expect(CairnError.is(error, 'storage-unavailable'), String(error)).toBe(true);
      expect((error as Error).message).toContain('appendfsync is "everysec"');
      await store.close();
      const relaxed = openStore(`${weak.url}?durability=relaxed`);
      expect((await relaxed.stats()).total).toBe(0);
      await relaxed.close();
    } finally {
      await weak.stop({ remove: true });
    }
  });
});
