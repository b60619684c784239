// The server itself crashes: redis-server is SIGKILLed mid-run and started again on the same data.
// Every acknowledged write must be there after the restart, the store must come back on its own,
// and a run interrupted by the crash must resume to the right output without re-running a step
// whose end was acknowledged.
import { CairnError, createRuntime, type DurableStore, defineWorkflow, type JournalEntry } from '@cairn/core';
import { entryFixture, newRunFixture } from '@cairn/core/testing';
import { type RedisServer, startRedisServer } from '@cairn/test-rigs/redis-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from './index.ts';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedisServer({ label: 'faults' });
});
afterAll(() => server.stop({ remove: true }));

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('redis-server SIGKILLed and restarted', () => {
  it('loses no acknowledged append of 6 concurrent writers, fails in-flight calls retryably, and reconnects by itself', async () => {
    const store = await createRedisStore({ url: server.url, prefix: 'writers:' });
    const acknowledged = new Map<string, number>();
    const failures: unknown[] = [];
    let stop = false;
    const writer = async (runId: string) => {
      await store.createRun(newRunFixture(runId));
      let lastSeq = 0;
      while (!stop) {
        try {
          const entries = [entryFixture(`step#${lastSeq}`, { payload: JSON.stringify({ n: lastSeq, pad: 'x'.repeat(200) }) })];
          lastSeq = (await store.append(runId, lastSeq, entries)).lastSeq;
          acknowledged.set(runId, lastSeq);
        } catch (error) {
          failures.push(error);
          return;
        }
      }
    };
    const writers = Array.from({ length: 6 }, (_, index) => writer(`run-${index}`));
    while ([...acknowledged.values()].reduce((sum, seq) => sum + seq, 0) < 300) await delay(5);
    await server.kill();
    // Let every writer hit the dead server; the store waits for the server to come back.
    await delay(300);
    await server.restart();
    stop = true;
    await Promise.all(writers);
    for (const failure of failures) {
      expect(CairnError.is(failure, 'storage-unavailable') || CairnError.is(failure, 'storage-conflict'), String(failure)).toBe(
        true,
      );
      if (CairnError.is(failure, 'storage-unavailable')) expect(failure.retryable).toBe(true);
    }
    expect(failures.length, 'at least one call was cut by the crash').toBeGreaterThan(0);
    expect(acknowledged.size).toBe(6);
    for (const [runId, lastSeq] of acknowledged) {
      const entries = await store.readEntries(runId);
      // An append in flight at the kill may have landed without its reply: at most one more entry.
      expect(entries.length === lastSeq || entries.length === lastSeq + 1, `${runId}: ${entries.length} vs ${lastSeq}`).toBe(
        true,
      );
      expect(entries.slice(0, lastSeq).map((entry) => entry.key)).toStrictEqual(
        Array.from({ length: lastSeq }, (_, n) => `step#${n}`),
      );
      expect((await store.getRun(runId))?.lastSeq).toBe(entries.length);
      // The same handle works again once the server is back.
      expect((await store.append(runId, entries.length, [entryFixture('after#0')])).lastSeq).toBe(entries.length + 1);
    }
    await store.close();
  });

  it('resumes a run interrupted by the crash: same output, no acknowledged step run again', async () => {
    const calls = new Map<string, number>();
    const steps = defineWorkflow('forty-steps', async (ctx, input: { start: number }) => {
      let total = input.start;
      for (let index = 0; index < 40; index++) {
        total = await ctx.step(`add-${index}`, async () => {
          calls.set(`add-${index}`, (calls.get(`add-${index}`) ?? 0) + 1);
          await delay(3);
          return total + index;
        });
      }
      return total;
    });
    const first = await createRedisStore({ url: server.url, prefix: 'resume:' });
    const ended = new Set<string>();
    const watched: DurableStore = {
      ...first,
      append: async (runId, expectedLastSeq, entries, patch) => {
        const record = await first.append(runId, expectedLastSeq, entries, patch);
        for (const entry of entries) if (entry.kind === 'step-end') ended.add(entry.key);
        return record;
      },
    };
    const before = createRuntime({ store: watched, workflows: [steps], leaseMs: 500, owner: 'before-crash' });
    const handle = await before.start(steps, { start: 1 }, { runId: 'run-crash' });
    while (ended.size < 10) await delay(2);
    await server.kill();
    const outcome = await Promise.race([
      handle.result().then(
        () => 'completed',
        (error: unknown) => error,
      ),
      delay(3_000).then(() => 'still waiting'),
    ]);
    await server.restart();
    if (outcome === 'still waiting') await delay(100);
    await before.close().catch(() => undefined);
    await first.close();

    const second = await createRedisStore({ url: server.url, prefix: 'resume:' });
    const journal: JournalEntry[] = await second.readEntries('run-crash');
    for (const key of ended)
      expect(
        journal.some((entry) => entry.kind === 'step-end' && entry.key === key),
        key,
      ).toBe(true);
    const after = createRuntime({ store: second, workflows: [steps], leaseMs: 500, owner: 'after-crash' });
    await delay(600); // the first owner's lease runs out
    const resumed = await after.resume<number>('run-crash');
    const expected = Array.from({ length: 40 }, (_, index) => index).reduce((sum, index) => sum + index, 1);
    expect(await resumed.result()).toBe(expected);
    const run = await second.getRun('run-crash');
    expect(run?.status).toBe('completed');
    // Step ids are `add-N#0`: a step whose end was acknowledged before the crash ran exactly once.
    for (const key of ended) expect(calls.get(key.replace(/#\d+$/, '')), key).toBe(1);
    await after.close();
    await second.close();
  });
});
