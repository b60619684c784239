// Hostile inputs: ids that try to reach into other keys, text full of frame and key delimiters,
// nested prefixes, oversize and very large batches. Each is refused naming what was wrong and
// writes nothing, or round-trips exactly.
import { CairnError, type DurableStore } from '@cairn/core';
import { entryFixture, newRunFixture } from '@cairn/core/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRedisStore } from './index.ts';

const url = inject('redisUrl');
const base = `hostile:${crypto.randomUUID()}:`;
let store: DurableStore;
let admin: Redis;
beforeAll(async () => {
  store = await createRedisStore({ url, prefix: base });
  admin = new Redis(url);
});
afterAll(async () => {
  await store.close();
  admin.disconnect();
});

async function keysUnder(prefix: string): Promise<string[]> {
  return (await admin.keys(`${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`)).sort();
}

describe('hostile inputs', () => {
  it('refuses run ids with braces, colons, newlines, globs or NUL in every method, and writes nothing', async () => {
    const before = await keysUnder(base);
    for (const runId of ['a}{b', 'x:log:y', 'run\nindex:all', '*', 'a?b', 'nul\u0000', '{tag}', '', 'x'.repeat(129)]) {
      const calls = [
        () => store.createRun(newRunFixture(runId)),
        () => store.getRun(runId),
        () => store.updateRun(runId, 0, { updatedAt: 2 }),
        () => store.append(runId, 0, [entryFixture('a#0')]),
        () => store.readEntries(runId),
        () => store.deleteRuns({ runIds: [runId] }),
      ];
      for (const call of calls) {
        const error = await call().then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(CairnError.is(error, 'invalid-run-id'), `${JSON.stringify(runId)}: ${String(error)}`).toBe(true);
      }
    }
    expect(await keysUnder(base)).toStrictEqual(before);
  });

  it('keeps text full of delimiters exactly: workflow, entry keys and payloads with newlines, braces, NUL, emoji', async () => {
    const nasty = 'a\n3\n{b}:c\r\n\u0000*?[x]\u2028😀\n\n';
    await store.createRun(newRunFixture('run-text', { workflow: nasty, input: nasty, metadata: { 'k:x.y': nasty } }));
    const entries = [
      entryFixture(nasty, { payload: nasty }),
      entryFixture('\n', { payload: '' }),
      entryFixture('', { payload: '\n1\n2\n' }),
    ];
    await store.append('run-text', 0, entries, { output: nasty, updatedAt: 5 });
    const read = await store.readEntries('run-text');
    expect(read.map(({ key, payload, kind, createdAt }) => ({ key, payload, kind, createdAt }))).toStrictEqual(entries);
    const run = await store.getRun('run-text');
    expect([run?.workflow, run?.input, run?.output, run?.metadata?.['k:x.y']]).toStrictEqual([nasty, nasty, nasty, nasty]);
    expect((await store.listRuns({ workflow: nasty })).runs.map((listed) => listed.runId)).toStrictEqual(['run-text']);
  });

  it('nested prefixes never see each other: "p:" and "p:run:" and "p:log:"', async () => {
    const outer = await createRedisStore({ url, prefix: `${base}p:` });
    const inners = await Promise.all([`${base}p:run:`, `${base}p:log:`].map((prefix) => createRedisStore({ url, prefix })));
    try {
      await outer.createRun(newRunFixture('index', { createdAt: 1 }));
      await outer.append('index', 0, [entryFixture('o#0')]);
      for (const [position, inner] of inners.entries()) {
        await inner.createRun(newRunFixture('index', { createdAt: 2 + position }));
        await inner.append('index', 0, [entryFixture('i#0'), entryFixture('i#1')]);
      }
      expect((await outer.readEntries('index')).map((entry) => entry.key)).toStrictEqual(['o#0']);
      expect((await outer.listRuns()).runs.map((run) => run.createdAt)).toStrictEqual([1]);
      expect((await outer.stats()).total).toBe(1);
      for (const inner of inners) {
        expect((await inner.readEntries('index')).length).toBe(2);
        expect((await inner.stats()).total).toBe(1);
      }
      expect(await outer.deleteRuns({ updatedBefore: Number.MAX_VALUE })).toBe(1);
      for (const inner of inners) expect((await inner.getRun('index'))?.lastSeq).toBe(2);
    } finally {
      await Promise.all([outer, ...inners].map((opened) => opened.close()));
    }
  });

  it('refuses a 100 MiB payload against the 64 MiB default before sending it, and takes 2 500 entries in one batch', async () => {
    await store.createRun(newRunFixture('run-big'));
    const huge = 'x'.repeat(100 * 1024 * 1024);
    const started = Date.now();
    const error = await store.append('run-big', 0, [entryFixture('big#0', { payload: huge })]).catch((caught: unknown) => caught);
    expect(CairnError.is(error, 'payload-too-large'), String(error)).toBe(true);
    expect((error as Error).message).toContain('run "run-big"');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await store.readEntries('run-big')).toStrictEqual([]);
    const batch = Array.from({ length: 2500 }, (_, index) => entryFixture(`e#${index}`, { payload: String(index) }));
    expect((await store.append('run-big', 0, batch)).lastSeq).toBe(2500);
    const read = await store.readEntries('run-big', { afterSeq: 999, limit: 2 });
    expect(read.map((entry) => [entry.seq, entry.key])).toStrictEqual([
      [1000, 'e#999'],
      [1001, 'e#1000'],
    ]);
  });

  it('reports a journal that lost entries behind its back as corrupt and appends nothing', async () => {
    await store.createRun(newRunFixture('run-torn'));
    await store.append('run-torn', 0, [entryFixture('a#0'), entryFixture('b#0')]);
    await admin.rpop(`${base}log:run-torn`);
    const error = await store.append('run-torn', 2, [entryFixture('c#0')]).catch((caught: unknown) => caught);
    expect(CairnError.is(error, 'corrupt-journal'), String(error)).toBe(true);
    expect((error as Error).message).toContain('run "run-torn"');
    expect((await store.getRun('run-torn'))?.lastSeq).toBe(2);
    expect(await admin.llen(`${base}log:run-torn`)).toBe(1);
  });
});
