/**
 * The runs a store handle keeps (ADR 0186): an append to a kept run spans the header and the
 * journal only and reads no text; a run another handle (another tab) wrote or deleted since is
 * never served from what was kept; a lost compare-and-set writes nothing.
 */
import { CairnError, type DurableStore } from '@cairn/core';
import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseName, entryFixture, runFixture, T0 } from '../test/fixtures.ts';
import { deleteIndexedDBStore } from './delete-store.ts';
import { createIndexedDBStore } from './indexeddb-store.ts';

const stores: DurableStore[] = [];
const databases: string[] = [];

function open(name: string): DurableStore {
  const store = createIndexedDBStore({ name });
  stores.push(store);
  if (!databases.includes(name)) databases.push(name);
  return store;
}

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  await Promise.all(databases.splice(0).map((name) => deleteIndexedDBStore(name)));
});

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  return CairnError.is(error) ? error.code : String(error);
}

describe('indexeddb store: the runs a handle keeps', () => {
  it('an append on a kept run reads no text: it succeeds with the input gone from the database', async () => {
    const name = databaseName('kept-no-read');
    const store = open(name);
    await store.createRun(runFixture('run-1', { input: '"the input"' }));
    const raw = await openDB(name);
    await raw.delete('texts', ['run-1', 'input']);
    raw.close();
    const appended = await store.append('run-1', 0, [entryFixture('a#0')], { updatedAt: T0 + 1 });
    expect(appended).toMatchObject({ lastSeq: 1, updatedAt: T0 + 1, input: '"the input"' });
    // A reader goes to the database and finds the damage.
    expect(await codeOf(store.getRun('run-1'))).toBe('corrupt-journal');
  });

  it('stores no stamp in the records it hands out, and moves the stored stamp on every write', async () => {
    const name = databaseName('kept-stamp');
    const store = open(name);
    const created = await store.createRun(runFixture('run-1'));
    const stamp = async (): Promise<number> => {
      const raw = await openDB(name);
      try {
        return (await raw.get('runs', 'run-1')).stamp as number;
      } finally {
        raw.close();
      }
    };
    const first = await stamp();
    const appended = await store.append('run-1', 0, [entryFixture('a#0')], { updatedAt: T0 + 1 });
    const updated = await store.updateRun('run-1', 0, { updatedAt: T0 + 2 });
    expect(await stamp()).toBe(first + 2);
    for (const record of [created, appended, updated, await store.getRun('run-1')]) expect(record).not.toHaveProperty('stamp');
    expect((await store.listRuns()).runs[0]).not.toHaveProperty('stamp');
  });

  it('a run another tab wrote since (texts, header, a delete and a new run under the id) is read again, never served stale', async () => {
    const name = databaseName('kept-stale');
    const mine = open(name);
    const theirs = open(name);
    await mine.createRun(runFixture('run-1', { input: '"first input"' }));
    await mine.append('run-1', 0, [entryFixture('a#0')], { updatedAt: T0 + 1 });
    // Output and a header field change without lastSeq moving.
    await theirs.updateRun('run-1', 0, { updatedAt: T0 + 2, output: '"their output"', cancelRequested: true });
    const next = await mine.append('run-1', 1, [entryFixture('b#0')], { updatedAt: T0 + 3 });
    expect(next).toMatchObject({ version: 1, lastSeq: 2, output: '"their output"', cancelRequested: true });
    // Deleted and created again under the same id, at version 0 and lastSeq 0 like the first.
    await mine.createRun(runFixture('run-2', { input: '"old"' }));
    expect(await theirs.deleteRuns({ runIds: ['run-2'] })).toBe(1);
    await theirs.createRun(runFixture('run-2', { input: '"new"' }));
    expect((await mine.append('run-2', 0, [entryFixture('c#0')], { updatedAt: T0 + 4 })).input).toBe('"new"');
    // Deleted for good: what was kept must not bring it back.
    await theirs.deleteRuns({ runIds: ['run-2'] });
    expect(await codeOf(mine.append('run-2', 1, [entryFixture('d#0')]))).toBe('run-not-found');
    expect(await theirs.getRun('run-2')).toBeNull();
    expect(await theirs.readEntries('run-2')).toEqual([]);
  });

  it('a lost compare-and-set on a kept run writes nothing: no entry, no header change', async () => {
    const name = databaseName('kept-cas');
    const mine = open(name);
    const theirs = open(name);
    await mine.createRun(runFixture('run-1'));
    const winner = await theirs.append('run-1', 0, [entryFixture('theirs#0')], { updatedAt: T0 + 1 });
    const failure = await mine.append('run-1', 0, [entryFixture('mine#0')], { updatedAt: T0 + 9 }).catch((e: unknown) => e);
    expect(CairnError.is(failure, 'storage-conflict')).toBe(true);
    expect((failure as Error).message).toContain('lastSeq is 1, expected 0');
    expect((await mine.readEntries('run-1')).map((entry) => entry.key)).toEqual(['theirs#0']);
    expect(await mine.getRun('run-1')).toEqual(winner);
  });

  it('a database of schema version 2 (headers without a stamp) is upgraded; older code can no longer open it', async () => {
    const name = databaseName('kept-v2');
    const old = await openDB(name, 2, {
      upgrade(database) {
        const runs = database.createObjectStore('runs', { keyPath: 'runId' });
        runs.createIndex('by-created', ['createdAt', 'runId']);
        runs.createIndex('by-status', ['status', 'createdAt', 'runId']);
        runs.createIndex('by-workflow', ['workflow', 'createdAt', 'runId']);
        runs.createIndex('by-updated', 'updatedAt');
        database.createObjectStore('texts', { keyPath: ['runId', 'field'] });
        database.createObjectStore('entries', { keyPath: ['runId', 'seq'] });
        database.createObjectStore('meta');
      },
    });
    const { input: _input, output: _output, error: _error, ...head } = runFixture('run-1');
    await old.put('runs', { ...head, version: 0, lastSeq: 0 });
    await old.put('texts', { runId: 'run-1', field: 'input', text: '"v2 input"' });
    old.close();
    databases.push(name);
    const mine = open(name);
    const theirs = open(name);
    // Both handles keep the header at stamp 0 (after writing it); each write moves it, so neither
    // mistakes the other's header for its own.
    await mine.updateRun('run-1', 0, { updatedAt: T0 + 1 });
    await theirs.append('run-1', 0, [entryFixture('theirs#0')], { updatedAt: T0 + 2, output: '"theirs"' });
    expect(await codeOf(mine.append('run-1', 0, [entryFixture('mine#0')]))).toBe('storage-conflict');
    expect(await mine.append('run-1', 1, [entryFixture('mine#1')], { updatedAt: T0 + 3 })).toMatchObject({
      input: '"v2 input"',
      output: '"theirs"',
      version: 1,
      lastSeq: 2,
    });
    const opening = openDB(name, 2);
    await expect(opening).rejects.toMatchObject({ name: 'VersionError' });
  });

  it('records handed out share nothing with what is kept or with the patch', async () => {
    const store = open(databaseName('kept-alias'));
    await store.createRun(runFixture('run-1'));
    const patch = { updatedAt: T0 + 1, step: { index: 1, name: 's' }, lease: { owner: 'a', expiresAt: T0 } };
    const first = await store.append('run-1', 0, [entryFixture('a#0')], patch);
    patch.step.index = 99;
    patch.lease.owner = 'mutated';
    first.step.name = 'mutated';
    first.usage.modelCalls = 99;
    const second = await store.append('run-1', 1, [entryFixture('b#0')], { updatedAt: T0 + 2 });
    expect(second.step).toEqual({ index: 1, name: 's' });
    expect(second.lease).toEqual({ owner: 'a', expiresAt: T0 });
    expect(second.usage.modelCalls).toBe(0);
    expect(await store.getRun('run-1')).toEqual(second);
  });
});
