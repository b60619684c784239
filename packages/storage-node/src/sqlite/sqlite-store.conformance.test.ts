// The storage conformance suite against the SQLite store: real database files in a temp folder,
// `peer` is a second connection to the same file, `reopen` closes and opens a new connection.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { defineStoreHarness, engineConformanceSuite, payloadLimitsSuite, storeConformanceSuite } from '@cairn/core/testing';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll } from 'vitest';
import { type CreateSqliteStoreOptions, createSqliteStore } from './sqlite-store.ts';

const temp = makeTempDir('sqlite-conformance');
afterAll(() => temp.remove());

const sqliteHarness = (name: string, options: Omit<CreateSqliteStoreOptions, 'path'> = {}) =>
  defineStoreHarness({
    name,
    timeoutMs: 60_000,
    create: () => join(temp.path, `${crypto.randomUUID()}.db`),
    open: (path) => createSqliteStore({ ...options, path }),
    remove: (path) => {
      for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
    },
  });

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
