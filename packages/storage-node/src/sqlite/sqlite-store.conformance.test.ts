// The storage conformance suite against the SQLite store: real database files in a temp folder,
// `peer` is a second connection to the same file, `reopen` closes and opens a new connection.
import { join } from 'node:path';
import type { DurableStore } from '@cairn/core';
import { engineConformanceSuite, payloadLimitsSuite, type StoreHarness, storeConformanceSuite } from '@cairn/core/testing';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll } from 'vitest';
import { type CreateSqliteStoreOptions, createSqliteStore } from './sqlite-store.ts';

const temp = makeTempDir('sqlite-conformance');
afterAll(() => temp.remove());

function sqliteHarness(name: string, options: Omit<CreateSqliteStoreOptions, 'path'> = {}): StoreHarness {
  const pathOf = new WeakMap<DurableStore, string>();
  const opened: DurableStore[] = [];
  const open = (path: string): DurableStore => {
    const store = createSqliteStore({ ...options, path });
    pathOf.set(store, path);
    opened.push(store);
    return store;
  };
  const pathFor = (store: DurableStore): string => {
    const path = pathOf.get(store);
    if (path === undefined) throw new Error('store was not opened by this harness');
    return path;
  };
  return {
    name,
    timeoutMs: 60_000,
    create: async () => open(join(temp.path, `${crypto.randomUUID()}.db`)),
    peer: async (store) => open(pathFor(store)),
    reopen: async (store) => {
      await store.close();
      return open(pathFor(store));
    },
    cleanup: async () => {
      const stores = opened.splice(0);
      await Promise.all(stores.map((store) => store.close()));
      const { readdirSync, rmSync } = await import('node:fs');
      for (const file of readdirSync(temp.path)) rmSync(join(temp.path, file), { force: true });
    },
  };
}

storeConformanceSuite(sqliteHarness('sqlite'));
// The engine scenarios: a workflow interrupted at every write and inside every step, taken over
// through a fresh runtime on a reopened handle of the same file(s).
engineConformanceSuite(sqliteHarness('sqlite'));
// The same contract with the opt-in durability level and a custom table prefix.
storeConformanceSuite(sqliteHarness('sqlite (synchronous=normal, prefix app_)', { synchronous: 'normal', tablePrefix: 'app_' }));
// Group commit is the default (ADR 0180); the store keeps the same contract with one transaction per call.
storeConformanceSuite(sqliteHarness('sqlite (groupCommit off)', { groupCommit: false }));
engineConformanceSuite(sqliteHarness('sqlite (groupCommit off)', { groupCommit: false }));
// A small limit exercises the size boundary with multi-byte text cheaply.
payloadLimitsSuite(sqliteHarness('sqlite (64 KiB limit)', { maxPayloadBytes: 64 * 1024 }));
