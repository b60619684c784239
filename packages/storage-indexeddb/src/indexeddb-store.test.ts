import { CairnError, type DurableStore } from '@cairn/core';
import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseName, entryFixture, runFixture, T0 } from '../test/fixtures.ts';
import { deleteIndexedDBStore } from './delete-store.ts';
import { createIndexedDBStore } from './indexeddb-store.ts';
import { SCHEMA_VERSION } from './schema.ts';

const stores: DurableStore[] = [];
const databases: string[] = [];

function open(name: string, maxPayloadBytes?: number): DurableStore {
  const store = createIndexedDBStore(maxPayloadBytes === undefined ? { name } : { name, maxPayloadBytes });
  stores.push(store);
  if (!databases.includes(name)) databases.push(name);
  return store;
}

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  await Promise.all(databases.splice(0).map((name) => deleteIndexedDBStore(name)));
});

describe('createIndexedDBStore', () => {
  it('creates the runs, texts, entries and meta object stores with their indexes at the current schema version', async () => {
    const name = databaseName('schema');
    const store = open(name);
    await store.createRun(runFixture('run-1'));
    await store.close();
    const raw = await openDB(name);
    try {
      expect(raw.version).toBe(SCHEMA_VERSION);
      expect([...raw.objectStoreNames].sort()).toEqual(['entries', 'meta', 'runs', 'texts']);
      const tx = raw.transaction(['runs', 'texts', 'entries', 'meta']);
      expect(await tx.objectStore('meta').get('identity')).toEqual({ creationId: expect.any(String) });
      const runs = tx.objectStore('runs');
      expect(runs.keyPath).toBe('runId');
      expect([...runs.indexNames].sort()).toEqual(['by-created', 'by-status', 'by-updated', 'by-workflow']);
      expect(runs.index('by-status').keyPath).toEqual(['status', 'createdAt', 'runId']);
      expect(tx.objectStore('texts').keyPath).toEqual(['runId', 'field']);
      expect(tx.objectStore('entries').keyPath).toEqual(['runId', 'seq']);
      await tx.done;
    } finally {
      raw.close();
    }
  });

  it('keeps a run header free of its texts, so an append rewrites O(1) bytes', async () => {
    const name = databaseName('layout');
    const store = open(name);
    const input = `"${'i'.repeat(100_000)}"`;
    await store.createRun(runFixture('run-1', { input }));
    await store.append('run-1', 0, [entryFixture('a#0')], { output: '"done"', updatedAt: T0 + 1 });
    const appended = await store.append('run-1', 1, [entryFixture('b#0')], { output: null, error: '"boom"', updatedAt: T0 + 2 });
    expect({ input: appended.input === input, output: appended.output, error: appended.error }).toEqual({
      input: true,
      output: null,
      error: '"boom"',
    });
    await store.close();
    const raw = await openDB(name);
    try {
      const head = await raw.get('runs', 'run-1');
      expect(Object.keys(head).filter((field) => ['input', 'output', 'error'].includes(field))).toEqual([]);
      expect(JSON.stringify(head).length).toBeLessThan(1000);
      const texts = await raw.getAll('texts', IDBKeyRange.bound(['run-1'], ['run-1', []]));
      expect(texts.map((text) => [text.field, text.text.length])).toEqual([
        ['error', 6],
        ['input', input.length],
      ]);
    } finally {
      raw.close();
    }
  });

  it('reports a run whose input text is missing as a corrupt journal, naming the run', async () => {
    const name = databaseName('corrupt');
    const store = open(name);
    await store.createRun(runFixture('run-1'));
    const raw = await openDB(name);
    await raw.delete('texts', ['run-1', 'input']);
    raw.close();
    const failure = await store.getRun('run-1').catch((error: unknown) => error);
    expect(CairnError.is(failure, 'corrupt-journal')).toBe(true);
    expect((failure as Error).message).toContain('run "run-1"');
  });

  it('keeps journals of runs whose ids share a prefix apart', async () => {
    const store = open(databaseName('prefix'));
    for (const runId of ['run-1', 'run-10', 'run-1_']) await store.createRun(runFixture(runId));
    await store.append('run-1', 0, [entryFixture('a#0'), entryFixture('a#1')]);
    await store.append('run-10', 0, [entryFixture('b#0')]);
    await store.append('run-1_', 0, [entryFixture('c#0')]);
    expect((await store.readEntries('run-1')).map((entry) => entry.key)).toEqual(['a#0', 'a#1']);
    expect((await store.readEntries('run-1', { afterSeq: 1 })).map((entry) => entry.key)).toEqual(['a#1']);
    expect((await store.readEntries('run-10')).map((entry) => entry.key)).toEqual(['b#0']);
    expect(await store.deleteRuns({ runIds: ['run-1'] })).toBe(1);
    expect(await store.readEntries('run-1')).toEqual([]);
    expect((await store.readEntries('run-10')).map((entry) => entry.key)).toEqual(['b#0']);
    expect((await store.readEntries('run-1_')).map((entry) => entry.key)).toEqual(['c#0']);
  });

  it('returns records that share no object with the arguments', async () => {
    const store = open(databaseName('detach'));
    const run = runFixture('run-1', { lease: { owner: 'a', expiresAt: T0 } });
    const created = await store.createRun(run);
    run.usage.inputTokens = 99;
    run.lease!.owner = 'mutated';
    expect(created.usage.inputTokens).toBe(0);
    expect(created.lease?.owner).toBe('a');
    const lease = { owner: 'b', expiresAt: T0 + 1 };
    const updated = await store.updateRun('run-1', 0, { lease, updatedAt: T0 + 1 });
    lease.owner = 'mutated';
    expect(updated.lease?.owner).toBe('b');
    expect((await store.getRun('run-1'))?.lease?.owner).toBe('b');
  });

  it('rejects bad arguments before touching the database', async () => {
    const store = open(databaseName('arguments'));
    await store.createRun(runFixture('run-1'));
    const codes = await Promise.all(
      [
        store.readEntries('run-1', { afterSeq: -1 }),
        store.readEntries('run-1', { limit: 0 }),
        store.readEntries('run-1', { limit: 1.5 }),
        store.append('run-1', 0, [{ ...entryFixture('a'), kind: 'bogus' as never }]),
        store.append('run-1', 0, [{ ...entryFixture('a'), payload: 7 as never }]),
        store.listRuns({ updatedBefore: Number.NaN }),
        store.deleteRuns({ updatedBefore: Number.NaN }),
        store.createRun(runFixture('run-2', { createdAt: Number.NaN })),
      ].map((call) =>
        call.then(
          () => 'resolved',
          (error: unknown) => (CairnError.is(error) ? error.code : 'foreign'),
        ),
      ),
    );
    expect(codes).toEqual(Array(8).fill('invalid-argument'));
    expect((await store.getRun('run-1'))?.lastSeq).toBe(0);
    expect(await store.getRun('run-2')).toBeNull();
    expect(() => createIndexedDBStore({ name: '' })).toThrow(/non-empty database name/);
    expect(() => createIndexedDBStore({ name: 'x', maxPayloadBytes: 0 })).toThrow(/maxPayloadBytes/);
  });

  it('reads a journal page by page with limit', async () => {
    const store = open(databaseName('pages'));
    await store.createRun(runFixture('run-1'));
    const keys = Array.from({ length: 25 }, (_, index) => `step#${index}`);
    await store.append(
      'run-1',
      0,
      keys.map((key) => entryFixture(key)),
    );
    const read: string[] = [];
    for (let afterSeq = 0; afterSeq < keys.length; afterSeq += 10) {
      const page = await store.readEntries('run-1', { afterSeq, limit: 10 });
      expect(page[0]?.seq).toBe(afterSeq + 1);
      read.push(...page.map((entry) => entry.key));
    }
    expect(read).toEqual(keys);
  });
});
