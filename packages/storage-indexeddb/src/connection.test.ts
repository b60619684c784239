import { CairnError, type DurableStore } from '@cairn/core';
import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseName, entryFixture, runFixture } from '../test/fixtures.ts';
import { deleteIndexedDBStore } from './delete-store.ts';
import { createIndexedDBStore } from './indexeddb-store.ts';
import { SCHEMA_VERSION } from './schema.ts';

const stores: DurableStore[] = [];
const databases: string[] = [];

function open(name: string): DurableStore {
  const store = createIndexedDBStore({ name });
  stores.push(store);
  databases.push(name);
  return store;
}

function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => (CairnError.is(error) ? `${error.code}${error.retryable ? ' (retryable)' : ''}` : 'foreign'),
  );
}

// Bounded so a blocked open fails the test instead of hanging it.
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)),
  ]);
}

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  await Promise.all(databases.splice(0).map((name) => deleteIndexedDBStore(name)));
});

describe('the connection of a store', () => {
  it('opens lazily: creating a store touches no database', async () => {
    const name = databaseName('lazy');
    open(name);
    const raw = await openDB(name);
    // A database that did not exist opens at version 1 with no stores.
    expect(raw.objectStoreNames.length).toBe(0);
    raw.close();
    await deleteIndexedDBStore(name);
  });

  it('steps aside for a newer schema opened elsewhere, then reports the upgrade as permanent', async () => {
    const name = databaseName('upgrade');
    const store = open(name);
    await store.createRun(runFixture('run-1'));
    // A newer tab upgrading: it must not stay blocked by our open connection.
    const newer = await within(openDB(name, SCHEMA_VERSION + 1), 5000, 'the newer open');
    newer.close();
    const failure = await store.getRun('run-1').catch((error: unknown) => error);
    expect(CairnError.is(failure, 'storage-unavailable')).toBe(true);
    expect((failure as CairnError).retryable).toBe(false);
    expect((failure as Error).message).toMatch(/^\[@cairn\/storage-indexeddb\] .*newer version/);
  });

  it('does not block deleteIndexedDBStore and reopens an empty database on next use', async () => {
    const name = databaseName('delete');
    const store = open(name);
    await store.createRun(runFixture('run-1'));
    await within(deleteIndexedDBStore(name), 5000, 'the delete');
    expect(await store.getRun('run-1')).toBeNull();
    await store.createRun(runFixture('run-1'));
    expect((await store.append('run-1', 0, [entryFixture('a#0')])).lastSeq).toBe(1);
  });

  it('rejects every call after close with StorageUnavailableError, and close is idempotent', async () => {
    const name = databaseName('close');
    const store = open(name);
    await store.createRun(runFixture('run-1'));
    await store.close();
    await store.close();
    const codes = await Promise.all([
      codeOf(store.getRun('run-1')),
      codeOf(store.createRun(runFixture('run-2'))),
      codeOf(store.updateRun('run-1', 0, { updatedAt: 1 })),
      codeOf(store.append('run-1', 0, [entryFixture('a#0')])),
      codeOf(store.readEntries('run-1')),
      codeOf(store.listRuns()),
      codeOf(store.deleteRuns({ runIds: ['run-1'] })),
      codeOf(store.stats()),
    ]);
    expect(codes).toEqual(Array(8).fill('storage-unavailable'));
    const failure = (await store.getRun('run-1').catch((error: unknown) => error)) as Error;
    expect(failure?.message).toMatch(/^\[@cairn\/storage-indexeddb\] database ".*": the store is closed$/);
    // The data is still there for a new handle.
    expect((await open(name).getRun('run-1'))?.runId).toBe('run-1');
  });

  it('lets a call racing with close either finish or reject cleanly, never hang', async () => {
    const name = databaseName('close-race');
    const store = open(name);
    await store.createRun(runFixture('run-1'));
    const appends = Array.from({ length: 5 }, (_, index) => codeOf(store.append('run-1', index, [entryFixture(`a#${index}`)])));
    await store.close();
    const codes = await within(Promise.all(appends), 5000, 'the racing appends');
    for (const code of codes) expect(['resolved', 'storage-unavailable', 'storage-conflict']).toContain(code);
    const after = open(name);
    const entries = await after.readEntries('run-1');
    expect(entries.map((entry) => entry.seq)).toEqual(entries.map((_, index) => index + 1));
    expect((await after.getRun('run-1'))?.lastSeq).toBe(entries.length);
  });
});
