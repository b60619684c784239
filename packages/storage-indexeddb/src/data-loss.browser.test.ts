// The witness inside one Chromium page. A database deleted behind the store's back (not through
// `deleteIndexedDBStore`) stands for one the browser wiped while another opener took its one-shot
// report; the real wipe, from a torn LevelDB log, is in test/e2e/data-loss.e2e.test.ts.
import { CairnError, type DurableStore } from '@cairn/core';
import { deleteDB, openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseName, runFixture } from '../test/fixtures.ts';
import { acknowledgeIndexedDBDataLoss, type IndexedDBDataLoss, isIndexedDBDataLossError } from './data-loss.ts';
import { deleteIndexedDBStore } from './delete-store.ts';
import { createIndexedDBStore } from './indexeddb-store.ts';

const stores: DurableStore[] = [];
const databases: string[] = [];

function open(name: string, losses: IndexedDBDataLoss[] = []): DurableStore {
  const store = createIndexedDBStore({ name, onDataLoss: (loss) => losses.push(loss) });
  stores.push(store);
  if (!databases.includes(name)) databases.push(name);
  return store;
}

/** How a call ended: its value, or the error's code, retryability and message. */
function outcome<T>(
  promise: Promise<T>,
): Promise<{ value: T } | { code: string; retryable: boolean; message: string; dataLoss: boolean }> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({
      code: CairnError.is(error) ? error.code : 'foreign',
      retryable: CairnError.is(error) && error.retryable,
      message: String((error as Error).message),
      dataLoss: isIndexedDBDataLossError(error),
    }),
  );
}

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  await Promise.all(databases.splice(0).map((name) => deleteIndexedDBStore(name)));
});

describe('a database lost behind the store', () => {
  it('never answers null for a run the witness says existed, and creates nothing until acknowledged', async () => {
    const name = databaseName('wiped');
    const first = open(name);
    await first.createRun(runFixture('run-1'));
    await first.close();
    await deleteDB(name); // as the browser's recovery does, telling nobody who is listening

    const losses: IndexedDBDataLoss[] = [];
    const store = open(name, losses);
    const read = await outcome(store.getRun('run-1'));
    expect(read).toMatchObject({ code: 'storage-unavailable', retryable: false, dataLoss: true });
    expect('message' in read && read.message).toMatch(/^\[@cairn\/storage-indexeddb\] data loss: database "cairn-unit-wiped-/);
    expect(await outcome(store.createRun(runFixture('run-1')))).toMatchObject({ dataLoss: true });
    expect(await outcome(store.listRuns())).toMatchObject({ dataLoss: true });
    expect(losses).toEqual([{ database: name, detectedBy: 'witness' }]);
    // Another handle (another tab, as far as IndexedDB is concerned) is told too.
    expect(await outcome(open(name).getRun('run-1'))).toMatchObject({ dataLoss: true });

    await acknowledgeIndexedDBDataLoss(name);
    expect(await outcome(store.getRun('run-1'))).toEqual({ value: null });
    await store.createRun(runFixture('run-2'));
    expect((await open(name).getRun('run-2'))?.runId).toBe('run-2');
    expect(losses).toHaveLength(1);
  });

  it('keeps reporting the loss to stores opened later, until it is acknowledged', async () => {
    const name = databaseName('later');
    await open(name).createRun(runFixture('run-1'));
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await deleteDB(name);
    expect(await outcome(open(name).getRun('run-1'))).toMatchObject({ dataLoss: true });
    await Promise.all(stores.splice(0).map((store) => store.close()));
    expect(await outcome(open(name).getRun('run-1'))).toMatchObject({ dataLoss: true });
  });

  it('reports nothing after deleteIndexedDBStore, which deletes on purpose', async () => {
    const name = databaseName('deleted');
    await open(name).createRun(runFixture('run-1'));
    await deleteIndexedDBStore(name);
    const losses: IndexedDBDataLoss[] = [];
    expect(await outcome(open(name, losses).getRun('run-1'))).toEqual({ value: null });
    expect(losses).toEqual([]);
  });

  it('adopts a database written before the witness existed (schema version 1), runs intact', async () => {
    const name = databaseName('legacy');
    databases.push(name);
    const legacy = await openDB(name, 1, {
      upgrade(database) {
        database.createObjectStore('runs', { keyPath: 'runId' });
        database.createObjectStore('texts', { keyPath: ['runId', 'field'] });
        database.createObjectStore('entries', { keyPath: ['runId', 'seq'] });
      },
    });
    legacy.close();
    const losses: IndexedDBDataLoss[] = [];
    expect(await outcome(open(name, losses).getRun('run-1'))).toEqual({ value: null });
    await Promise.all(stores.splice(0).map((store) => store.close()));
    expect(await outcome(open(name, losses).getRun('run-1'))).toEqual({ value: null });
    expect(losses).toEqual([]);
  });
});
