// The storage conformance suite against the file store: a fresh directory per store, `peer` is a
// second independent handle on the same directory, `reopen` closes and opens a new handle.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { defineStoreHarness, engineConformanceSuite, payloadLimitsSuite, storeConformanceSuite } from '@cairn/core/testing';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll } from 'vitest';
import { type CreateFileStoreOptions, createFileStore } from './file-store.ts';

const temp = makeTempDir('file-conformance');
afterAll(() => temp.remove());

const fileHarness = (name: string, options: Omit<CreateFileStoreOptions, 'dir'> = {}) =>
  defineStoreHarness({
    name,
    timeoutMs: 60_000,
    create: () => join(temp.path, crypto.randomUUID()),
    open: (dir) => createFileStore({ ...options, dir }),
    remove: (dir) => rmSync(dir, { recursive: true, force: true }),
  });

storeConformanceSuite(fileHarness('file'));
// The engine scenarios: a workflow interrupted at every write and inside every step, taken over
// through a fresh runtime on a reopened handle of the same file(s).
engineConformanceSuite(fileHarness('file'));
// A small limit exercises the size boundary with multi-byte text cheaply.
payloadLimitsSuite(fileHarness('file (64 KiB limit)', { maxPayloadBytes: 64 * 1024 }));
