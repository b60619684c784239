// The storage conformance suite against the file store: a fresh directory per store, `peer` is a
// second independent handle on the same directory, `reopen` closes and opens a new handle.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DurableStore } from '@cairn/core';
import { engineConformanceSuite, payloadLimitsSuite, type StoreHarness, storeConformanceSuite } from '@cairn/core/testing';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll } from 'vitest';
import { type CreateFileStoreOptions, createFileStore } from './file-store.ts';

const temp = makeTempDir('file-conformance');
afterAll(() => temp.remove());

function fileHarness(name: string, options: Omit<CreateFileStoreOptions, 'dir'> = {}): StoreHarness {
  const dirOf = new WeakMap<DurableStore, string>();
  const opened: DurableStore[] = [];
  const dirs: string[] = [];
  const open = (dir: string): DurableStore => {
    const store = createFileStore({ ...options, dir });
    dirOf.set(store, dir);
    opened.push(store);
    return store;
  };
  const dirFor = (store: DurableStore): string => {
    const dir = dirOf.get(store);
    if (dir === undefined) throw new Error('store was not opened by this harness');
    return dir;
  };
  return {
    name,
    timeoutMs: 60_000,
    create: async () => {
      const dir = join(temp.path, crypto.randomUUID());
      dirs.push(dir);
      return open(dir);
    },
    peer: async (store) => open(dirFor(store)),
    reopen: async (store) => {
      await store.close();
      return open(dirFor(store));
    },
    cleanup: async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

storeConformanceSuite(fileHarness('file'));
// The engine scenarios: a workflow interrupted at every write and inside every step, taken over
// through a fresh runtime on a reopened handle of the same file(s).
engineConformanceSuite(fileHarness('file'));
// A small limit exercises the size boundary with multi-byte text cheaply.
payloadLimitsSuite(fileHarness('file (64 KiB limit)', { maxPayloadBytes: 64 * 1024 }));
