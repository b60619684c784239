/**
 * The conformance harness of this adapter, shared by the happy-dom and Chromium projects:
 * `create` opens a fresh database, `peer` a second connection on the same one (another tab, as
 * far as IndexedDB is concerned), `reopen` closes and opens again, `cleanup` deletes every database.
 */
import { defineStoreHarness, type StoreHarness } from '@cairn/core/testing';
import { createIndexedDBStore, deleteIndexedDBStore } from '../src/index.ts';

/** A harness whose stores live in fresh databases named `cairn-test-<uuid>`. */
export function indexedDBHarness(name: string, options: { maxPayloadBytes?: number; timeoutMs?: number } = {}): StoreHarness {
  const { timeoutMs, maxPayloadBytes } = options;
  return defineStoreHarness({
    name,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    create: () => `cairn-test-${crypto.randomUUID()}`,
    open: (database) => createIndexedDBStore({ name: database, maxPayloadBytes }),
    remove: deleteIndexedDBStore,
  });
}
