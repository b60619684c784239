// The seeds' `ttl`: an ended run (completed, failed, cancelled) expires that many seconds after its
// last write, journal and index entries with it; a run that has not ended never expires, and a run
// moved back to running (retry in place) is kept again.
import type { DurableStore } from '@cairn/core';
import { entryFixture, newRunFixture } from '@cairn/core/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRedisStore } from './index.ts';

const url = inject('redisUrl');
const prefix = `ttl:${crypto.randomUUID()}:`;
let store: DurableStore;
let admin: Redis;
beforeAll(async () => {
  store = await createRedisStore({ url, prefix, ttl: 1 });
  admin = new Redis(url);
});
afterAll(async () => {
  await store.close();
  admin.disconnect();
});

describe('ttl', () => {
  it('expires ended runs with their journals and index entries; keeps running runs and runs retried before expiry', async () => {
    for (const runId of ['run-done', 'run-failed', 'run-live', 'run-retried']) {
      await store.createRun(newRunFixture(runId));
      await store.append(runId, 0, [entryFixture('a#0')]);
    }
    await store.append('run-done', 1, [entryFixture('end#0', { kind: 'run-end' })], {
      status: 'completed',
      output: '1',
      updatedAt: 9,
    });
    await store.updateRun('run-failed', 0, { status: 'failed', error: '"x"', updatedAt: 9 });
    await store.updateRun('run-retried', 0, { status: 'failed', error: '"x"', updatedAt: 9 });
    expect(await admin.pttl(`${prefix}run:run-done`)).toBeGreaterThan(0);
    expect(await admin.pttl(`${prefix}log:run-done`)).toBeGreaterThan(0);
    expect(await admin.pttl(`${prefix}run:run-live`)).toBe(-1);
    await store.updateRun('run-retried', 1, { status: 'running', error: null, updatedAt: 10 });
    expect(await admin.pttl(`${prefix}run:run-retried`)).toBe(-1);
    expect(await admin.pttl(`${prefix}log:run-retried`)).toBe(-1);
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(await store.getRun('run-done')).toBeNull();
    expect(await store.readEntries('run-done')).toStrictEqual([]);
    expect((await store.listRuns()).runs.map((run) => run.runId).sort()).toStrictEqual(['run-live', 'run-retried']);
    const stats = await store.stats();
    expect([stats.total, stats.byStatus.running, stats.byStatus.completed, stats.byStatus.failed]).toStrictEqual([2, 2, 0, 0]);
    expect(await admin.zcard(`${prefix}expiring`)).toBe(0);
    expect(await admin.zcard(`${prefix}index:all`)).toBe(2);
    // The id is free again, with no journal left over.
    await store.createRun(newRunFixture('run-done'));
    expect(await store.readEntries('run-done')).toStrictEqual([]);
  });
});
