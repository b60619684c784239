/** Schema migrations: numbered, idempotent, per prefix, refusing newer schemas, and indexed queries. */
import { CairnError } from '@cairn/core';
import { FIXTURE_TIME, newRunFixture } from '@cairn/core/testing';
import { describe, expect, it } from 'vitest';
import { inFreshObject } from '../test/object-storage.ts';
import { createDurableObjectStore } from './durable-object-store.ts';
import { migrateDurableObjectStore } from './migrate.ts';
import { runPageStatement } from './run-queries.ts';
import { MIGRATIONS, SCHEMA_VERSION, tableNames } from './schema.ts';

function objectNames(storage: DurableObjectStorage, type: 'table' | 'index'): string[] {
  return storage.sql
    .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = ? AND name LIKE 'cairn%' ORDER BY name", type)
    .toArray()
    .map((row) => row.name);
}

function plan(
  storage: DurableObjectStorage,
  statement: { text: string; params: (string | number | null | ArrayBuffer)[] },
): string {
  return storage.sql
    .exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${statement.text}`, ...statement.params)
    .toArray()
    .map((row) => row.detail)
    .join('; ');
}

describe('durable-objects store: migrations', () => {
  it('creates every table and index once, then has nothing to do', async () => {
    await inFreshObject((storage) => {
      expect(migrateDurableObjectStore(storage)).toStrictEqual({ fromVersion: 0, toVersion: SCHEMA_VERSION });
      expect(migrateDurableObjectStore(storage)).toStrictEqual({ fromVersion: SCHEMA_VERSION, toVersion: SCHEMA_VERSION });
      expect(objectNames(storage, 'table')).toStrictEqual(['cairn_chunks', 'cairn_entries', 'cairn_migrations', 'cairn_runs']);
      expect(objectNames(storage, 'index')).toStrictEqual([
        'cairn_runs_by_created',
        'cairn_runs_by_status',
        'cairn_runs_by_updated',
        'cairn_runs_by_wake',
        'cairn_runs_by_workflow',
      ]);
      expect(storage.sql.exec('SELECT version, name FROM cairn_migrations').toArray()).toStrictEqual([
        { version: 1, name: 'create-runs-entries-chunks' },
        { version: 2, name: 'add-runs-stamp' },
      ]);
    });
  });

  it('a store created before or after an explicit migration sees the same data', async () => {
    await inFreshObject(async (storage) => {
      const first = createDurableObjectStore(storage);
      await first.createRun(newRunFixture('run-1'));
      migrateDurableObjectStore(storage);
      const second = createDurableObjectStore(storage);
      expect((await second.getRun('run-1'))?.runId).toBe('run-1');
    });
  });

  it('stores with different table prefixes in one object are independent', async () => {
    await inFreshObject(async (storage) => {
      const tenantA = createDurableObjectStore(storage, { tablePrefix: 'tenant_a_' });
      const tenantB = createDurableObjectStore(storage, { tablePrefix: 'tenant_b_' });
      await tenantA.createRun(newRunFixture('run-1'));
      await tenantB.createRun(newRunFixture('run-1', { workflow: 'other' }));
      expect((await tenantA.getRun('run-1'))?.workflow).toBe('conformance');
      expect((await tenantB.getRun('run-1'))?.workflow).toBe('other');
      expect(await tenantA.deleteRuns({ runIds: ['run-1'] })).toBe(1);
      expect((await tenantB.stats()).total).toBe(1);
    });
  });

  it('refuses a schema written by a newer package instead of misreading it', async () => {
    await inFreshObject(async (storage) => {
      migrateDurableObjectStore(storage);
      storage.sql.exec("INSERT INTO cairn_migrations (version, name) VALUES (99, 'from-the-future')");
      expect(() => migrateDurableObjectStore(storage)).toThrow(
        new RegExp(`schema version 99, newer than the ${SCHEMA_VERSION} `),
      );
      // Creating the store must not throw in a constructor; every call reports the problem.
      const store = createDurableObjectStore(storage);
      const error: unknown = await store.stats().catch((reason: unknown) => reason);
      expect(CairnError.is(error, 'storage-unavailable') && !error.retryable).toBe(true);
    });
  });

  it('runs written at schema version 1 (no stamp column) are read, appended to and kept apart by handles after version 2', async () => {
    await inFreshObject(async (storage) => {
      const tables = tableNames();
      storage.transactionSync(() => {
        for (const statement of MIGRATIONS[0]!.statements(tables)) storage.sql.exec(statement);
        storage.sql.exec('CREATE TABLE cairn_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)');
        storage.sql.exec("INSERT INTO cairn_migrations (version, name) VALUES (1, 'create-runs-entries-chunks')");
        storage.sql.exec(
          `INSERT INTO cairn_runs (run_id, workflow, status, version, last_seq, created_at, updated_at, header, input)
           VALUES ('old', 'w', 'running', 0, 0, 1, 1, '{"attempt":1}', 'in')`,
        );
      });
      const first = createDurableObjectStore(storage);
      const second = createDurableObjectStore(storage);
      expect(storage.sql.exec("SELECT stamp FROM cairn_runs WHERE run_id = 'old'").one().stamp).toBe(0);
      // Both handles keep the row at stamp 0; the first write moves it, so the second handle's
      // kept row no longer matches and it reads the row again instead of overwriting it.
      await first.getRun('old');
      await second.getRun('old');
      const entry = { kind: 'step-end' as const, key: 's#0', payload: '1', createdAt: 2 };
      await first.append('old', 0, [entry], { updatedAt: 2, output: 'from first' });
      const error: unknown = await second.append('old', 0, [entry], { updatedAt: 3 }).catch((reason: unknown) => reason);
      expect(CairnError.is(error, 'storage-conflict')).toBe(true);
      const appended = await second.append('old', 1, [{ ...entry, key: 's#1' }], { updatedAt: 3 });
      expect(appended).toMatchObject({ runId: 'old', input: 'in', output: 'from first', lastSeq: 2, attempt: 1 });
    });
  });

  it('a migration that fails leaves no trace and is retried by the next call', async () => {
    await inFreshObject(async (storage) => {
      // A table of the same name but another shape: the index on created_at cannot be built.
      storage.sql.exec('CREATE TABLE cairn_runs (something_else TEXT)');
      const store = createDurableObjectStore(storage);
      const error: unknown = await store.getRun('run-1').catch((reason: unknown) => reason);
      expect(CairnError.is(error, 'storage-unavailable')).toBe(true);
      expect(String(((error as Error).cause as Error).message)).toMatch(/created_at|no such column/);
      expect(storage.sql.exec('SELECT count(*) AS n FROM cairn_migrations').one().n).toBe(0);
      expect(objectNames(storage, 'table')).not.toContain('cairn_entries');
      storage.sql.exec('DROP TABLE cairn_runs');
      await store.createRun(newRunFixture('run-1', { createdAt: FIXTURE_TIME }));
      expect((await store.getRun('run-1'))?.runId).toBe('run-1');
    });
  });

  it('listing pages seek an index, by status, by workflow and after a cursor, without sorting', async () => {
    await inFreshObject((storage) => {
      migrateDurableObjectStore(storage);
      const tables = tableNames();
      const after = { createdAt: FIXTURE_TIME, runId: 'run-5' };
      const plans = {
        all: plan(storage, runPageStatement(tables, undefined, undefined, 101)),
        page: plan(storage, runPageStatement(tables, undefined, after, 101)),
        status: plan(storage, runPageStatement(tables, { status: ['paused'] }, after, 101)),
        workflow: plan(storage, runPageStatement(tables, { workflow: 'greet' }, after, 101)),
      };
      expect(plans.all).toContain('USING INDEX cairn_runs_by_created');
      expect(plans.page).toContain('USING INDEX cairn_runs_by_created ((created_at,run_id)<(?,?))');
      expect(plans.status).toContain('USING INDEX cairn_runs_by_status');
      expect(plans.workflow).toContain('USING INDEX cairn_runs_by_workflow');
      for (const detail of Object.values(plans)) expect(detail).not.toContain('TEMP B-TREE');
    });
  });
});
