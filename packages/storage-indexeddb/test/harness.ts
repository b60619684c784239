/**
 * The conformance harness of this adapter, shared by the happy-dom and Chromium projects:
 * `create` opens a fresh database, `peer` a second connection on the same one (another tab, as
 * far as IndexedDB is concerned), `reopen` closes and opens again, `cleanup` deletes every database.
 */
import type { DurableStore } from '@cairn/core';
import type { StoreHarness } from '@cairn/core/testing';
import { createIndexedDBStore, deleteIndexedDBStore } from '../src/index.ts';

/** A harness whose stores live in fresh databases named `cairn-test-<uuid>`. */
export function indexedDBHarness(name: string, options: { maxPayloadBytes?: number; timeoutMs?: number } = {}): StoreHarness {
  const { timeoutMs, ...storeOptions } = options;
  const databaseOf = new WeakMap<DurableStore, string>();
  const opened: DurableStore[] = [];
  const databases = new Set<string>();

  function open(database: string): DurableStore {
    const store = createIndexedDBStore({ name: database, ...storeOptions });
    databaseOf.set(store, database);
    opened.push(store);
    return store;
  }

  function databaseFor(store: DurableStore): string {
    const database = databaseOf.get(store);
    if (database === undefined) throw new Error('store was not created by this harness');
    return database;
  }

  return {
    name,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    async create() {
      const database = `cairn-test-${crypto.randomUUID()}`;
      databases.add(database);
      return open(database);
    },
    async peer(store) {
      return open(databaseFor(store));
    },
    async reopen(store) {
      await store.close();
      return open(databaseFor(store));
    },
    async cleanup() {
      await Promise.all(opened.splice(0).map((store) => store.close()));
      await Promise.all([...databases].map((database) => deleteIndexedDBStore(database)));
      databases.clear();
    },
  };
}
