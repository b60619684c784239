/**
 * The store kinds the multi-process tests run over, one entry per kind: what a kind needs started
 * (a database server), where a named store lives, and how to check a store's journals afterwards.
 * A store on a server is named by its `openStore` spec, so child processes open it by that string.
 * A new kind is one more entry here.
 */
import { join } from 'node:path';
import type { DurableStore } from '@cairn/core';
import { checkRedisIntegrity } from '@cairn/storage-redis';
import { type PostgresServer, startPostgresServer } from '@cairn/test-rigs/postgres-server';
import { inject } from 'vitest';
import { checkFileStoreIntegrity } from '../../src/file/file-integrity.ts';
import { openStore } from '../../src/open-store.ts';
import { redisSpecOptions } from '../../src/remote-store.ts';
import type { IntegrityReport } from '../../src/shared/integrity-report.ts';
import { checkSqliteIntegrity } from '../../src/sqlite/sqlite-integrity.ts';
import { openFixtureStore } from './fixtures/open-fixture-store.ts';

/** One kind of store, as the tests use it. */
export interface StoreKind {
  readonly kind: string;
  /** Start what the kind needs; `dir` is the test file's temp folder. Call in `beforeAll`. */
  setup(dir: string): Promise<void>;
  /** Stop what `setup` started. Call in `afterAll`. */
  teardown(): Promise<void>;
  /** Where the store named `name` lives (a path or an `openStore` spec). */
  location(name: string): string;
  /** Check every run's journal of the store at `location`. */
  check(location: string): Promise<IntegrityReport>;
}

/** A journal check through the store interface: every run's entries dense, lastSeq their count. */
export async function checkJournals(store: DurableStore): Promise<IntegrityReport> {
  const problems: string[] = [];
  let runs = 0;
  let entries = 0;
  let cursor: string | undefined;
  do {
    const page = await store.listRuns({ limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const run of page.runs) {
      runs++;
      const journal = await store.readEntries(run.runId);
      entries += journal.length;
      if (journal.some((entry, index) => entry.seq !== index + 1)) problems.push(`run "${run.runId}": seq is not dense`);
      if (journal.length !== run.lastSeq) problems.push(`run "${run.runId}": lastSeq ${run.lastSeq}, ${journal.length} entries`);
    }
    cursor = page.cursor;
  } while (cursor);
  return { ok: problems.length === 0, runs, entries, problems, notes: [] };
}

function localKind(kind: 'sqlite' | 'file', check: (at: string) => Promise<IntegrityReport>): StoreKind {
  let dir = '';
  return {
    kind,
    setup: async (tempDir) => {
      dir = tempDir;
    },
    teardown: async () => {},
    location: (name) => join(dir, kind === 'sqlite' ? `${name}.db` : name),
    check,
  };
}

/** A private Postgres server per test file; each named store is a schema on it. */
function postgresKind(): StoreKind {
  let server: PostgresServer | undefined;
  const location = (name: string): string => {
    if (!server) throw new Error('postgres store kind: setup() was not called');
    return `${server.url}?schema=${name.replaceAll('-', '_')}`;
  };
  return {
    kind: 'postgres',
    setup: async () => {
      server = await startPostgresServer();
    },
    teardown: async () => {
      await server?.remove();
      server = undefined;
    },
    location,
    check: async (at) => {
      const store = openStore(at);
      try {
        return await checkJournals(store);
      } finally {
        await store.close();
      }
    },
  };
}

/** The suite's private Redis server (test/redis-global-setup.ts); each named store is a key prefix on it. */
function redisKind(): StoreKind {
  let dir = '';
  return {
    kind: 'redis',
    setup: async (tempDir) => {
      dir = tempDir;
    },
    teardown: async () => {},
    location: (name) => `${inject('redisUrl')}/0?prefix=${encodeURIComponent(`store-kinds:${dir}:${name}:`)}`,
    check: (at) => checkRedisIntegrity(redisSpecOptions(at)),
  };
}

/** Every kind, by name. */
export const STORE_KINDS = {
  sqlite: localKind('sqlite', (at) => checkSqliteIntegrity(at)),
  file: localKind('file', (at) => checkFileStoreIntegrity(at)),
  postgres: postgresKind(),
  redis: redisKind(),
} as const satisfies Record<string, StoreKind>;

/** Open the store of `kind` at `location` (as the fixture children do). */
export function openKindStore(kind: StoreKind, location: string): DurableStore {
  return openFixtureStore(kind.kind, location);
}
