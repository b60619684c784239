// The browser's own report of a wipe, as Chromium gives it on the `upgradeneeded` event of the
// first open after it deleted the origin's IndexedDB. fake-indexeddb never sends it, so the event
// is handed to `upgradeSchema` here; the real one is in test/e2e/data-loss.e2e.test.ts. Without
// OPFS (happy-dom) the report alone must be enough.
import { CairnError, type DurableStore } from '@cairn/core';
import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseName, runFixture } from '../test/fixtures.ts';
import { acknowledgeIndexedDBDataLoss, type IndexedDBDataLoss, isIndexedDBDataLossError } from './data-loss.ts';
import { deleteIndexedDBStore } from './delete-store.ts';
import { createIndexedDBStore } from './indexeddb-store.ts';
import { type CairnDatabase, SCHEMA_VERSION, upgradeSchema } from './schema.ts';

const stores: DurableStore[] = [];
const databases: string[] = [];

function open(name: string, losses: IndexedDBDataLoss[] = []): DurableStore {
  const store = createIndexedDBStore({ name, onDataLoss: (loss) => losses.push(loss) });
  stores.push(store);
  return store;
}

/** Create `name` as the first open after Chromium wiped the origin would. */
async function createAfterWipe(name: string): Promise<void> {
  databases.push(name);
  const report = { dataLoss: 'total', dataLossMessage: 'IndexedDB (database was corrupt): checksum mismatch' };
  const database = await openDB<CairnDatabase>(name, SCHEMA_VERSION, {
    // Only the two fields Chromium adds are read; a real event's are read-only, so a stand-in.
    upgrade: (db, oldVersion, _newVersion, transaction) => upgradeSchema(db, oldVersion, transaction, report as unknown as Event),
  });
  database.close();
}

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  await Promise.all(databases.splice(0).map((name) => deleteIndexedDBStore(name)));
});

describe("the browser's data-loss report", () => {
  it('is kept in the database and reported to every store opened later, with its message, until acknowledged', async () => {
    const name = databaseName('reported');
    await createAfterWipe(name);
    const losses: IndexedDBDataLoss[] = [];
    const store = open(name, losses);
    const error = await store.getRun('run-1').then(
      () => null,
      (failure: unknown) => failure,
    );
    expect(isIndexedDBDataLossError(error)).toBe(true);
    expect(CairnError.is(error, 'storage-unavailable') && error.retryable).toBe(false);
    expect((error as Error).message).toBe(
      `[@cairn/storage-indexeddb] data loss: database "${name}" was lost: the browser deleted it and reported "IndexedDB (database was corrupt): checksum mismatch". Its runs and journals are gone; nothing is recreated over them until the app calls acknowledgeIndexedDBDataLoss("${name}")`,
    );
    await expect(store.createRun(runFixture('run-1'))).rejects.toSatisfy(isIndexedDBDataLossError);
    await expect(open(name).stats()).rejects.toSatisfy(isIndexedDBDataLossError);
    expect(losses).toEqual([
      { database: name, detectedBy: 'browser', browserMessage: 'IndexedDB (database was corrupt): checksum mismatch' },
    ]);

    await acknowledgeIndexedDBDataLoss(name);
    expect(await store.getRun('run-1')).toBeNull();
    expect((await store.createRun(runFixture('run-1'))).runId).toBe('run-1');
  });

  it('is not raised for a database created normally, and leaves the store usable', async () => {
    const name = databaseName('fresh');
    databases.push(name);
    const losses: IndexedDBDataLoss[] = [];
    const store = open(name, losses);
    expect((await store.createRun(runFixture('run-1'))).runId).toBe('run-1');
    expect(await open(name).getRun('run-1')).not.toBeNull();
    expect(losses).toEqual([]);
  });
});
