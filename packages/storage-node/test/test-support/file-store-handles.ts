/**
 * File stores for a test file: opened in fresh directories under one temp folder, closed after each
 * test and removed after the file; and the Cairn error a call rejects with.
 */
import { join } from 'node:path';
import { CairnError, type DurableStore } from '@cairn/core';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, afterEach } from 'vitest';
import { createFileStore } from '../../src/file/file-store.ts';

/** Handles of one test file (call at its top level: it registers the cleanup hooks). */
export function fileStoreHandles(name: string): { open(dir: string): DurableStore; freshDir(): string } {
  const temp = makeTempDir(name);
  const opened: DurableStore[] = [];
  afterAll(() => temp.remove());
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });
  return {
    open(dir) {
      const store = createFileStore({ dir });
      opened.push(store);
      return store;
    },
    freshDir: () => join(temp.path, crypto.randomUUID()),
  };
}

/** The Cairn error `action` rejects with (anything else fails the test). */
export async function rejection(action: () => Promise<unknown>): Promise<CairnError> {
  const error = await action().then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!CairnError.is(error)) throw new Error(`expected a Cairn error, got ${String(error)}`);
  return error;
}
