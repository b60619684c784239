// SQLite-store behaviour beyond the conformance suite: table prefixes, migrations (also from two
// processes at once), error mapping (busy → retryable), WAL, and the header cache staying correct
// when another connection writes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { CairnError, type DurableStore } from '@cairn/core';
import { entryFixture, newRunFixture } from '@cairn/core/testing';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runRacingChildren } from '../../test/test-support/child-processes.ts';
import { MIGRATIONS, SCHEMA_VERSION, sqliteTables } from './sqlite-schema.ts';
import { type CreateSqliteStoreOptions, createSqliteStore } from './sqlite-store.ts';

const temp = makeTempDir('sqlite-store');
afterAll(() => temp.remove());
const opened: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const handle of opened.splice(0)) await handle.close();
});

const freshPath = () => join(temp.path, `${crypto.randomUUID()}.db`);

function open(path: string, options: Omit<CreateSqliteStoreOptions, 'path'> = {}): DurableStore {
  const store = createSqliteStore({ path, ...options });
  opened.push(store);
  return store;
}

function raw(path: string): DatabaseSync {
  const db = new DatabaseSync(path);
  opened.push(db);
  return db;
}

async function failure(action: () => unknown): Promise<CairnError> {
  try {
    await action();
  } catch (error) {
    if (CairnError.is(error)) return error;
    throw new Error(`not a Cairn error: ${String(error)}`);
  }
  throw new Error('expected a failure');
}

describe('sqlite store', () => {
  it('refuses table prefixes that are not plain identifiers', async () => {
    for (const tablePrefix of ['', '1abc', 'a-b', 'x; DROP TABLE t; --', 'a b', 'é', 'x'.repeat(32), '"q"']) {
      expect((await failure(() => createSqliteStore({ path: freshPath(), tablePrefix }))).code).toBe('invalid-argument');
    }
  });

  it('refuses a tablePrefix starting with sqlite_ (any case) at validation, naming the reserved prefix', async () => {
    // SQLite reserves every name beginning with "sqlite_": such a prefix used to pass validation
    // and then fail to create its tables as "SQL logic error".
    for (const tablePrefix of ['sqlite_', 'SQLite_x', 'sqlite_cairn_']) {
      const error = await failure(() => createSqliteStore({ path: freshPath(), tablePrefix }));
      expect(error.code).toBe('invalid-argument');
      expect(error.message).toMatch(/^\[@cairn\/storage-node\] tablePrefix .*"sqlite_", which SQLite reserves/);
    }
    // A prefix that merely contains it is fine.
    expect(await open(freshPath(), { tablePrefix: 'my_sqlite_' }).stats()).toMatchObject({ total: 0 });
  });

  it('keeps stores with different prefixes in one file apart', async () => {
    const path = freshPath();
    const first = open(path, { tablePrefix: 'one_' });
    const second = open(path, { tablePrefix: 'Two' });
    await first.createRun(newRunFixture('run-1', { workflow: 'first' }));
    await second.createRun(newRunFixture('run-1', { workflow: 'second' }));
    expect((await first.getRun('run-1'))?.workflow).toBe('first');
    expect((await second.getRun('run-1'))?.workflow).toBe('second');
    const tables = (
      raw(path).prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as { name: string }[]
    ).map((row) => row.name);
    expect(tables).toStrictEqual([
      'Twoentries',
      'Twomigrations',
      'Tworun_payloads',
      'Tworuns',
      'one_entries',
      'one_migrations',
      'one_run_payloads',
      'one_runs',
    ]);
  });

  it('uses WAL and records each migration once however often it is opened', async () => {
    const path = freshPath();
    for (let index = 0; index < 3; index++) await open(path).close();
    const db = raw(path);
    // Rows come back with a null prototype: compare fields, not prototypes.
    expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    expect(
      db
        .prepare('SELECT version FROM cairn_migrations')
        .all()
        .map((row) => row.version),
    ).toStrictEqual(MIGRATIONS.map((migration) => migration.version));
  });

  it('migrates a version-1 database holding a run: the run reads back with null metadata and expiry, and takes new ones', async () => {
    const path = freshPath();
    const db = raw(path);
    const tables = sqliteTables();
    db.exec(`CREATE TABLE ${tables.migrations} (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL)`);
    for (const statement of MIGRATIONS[0]!.statements(tables)) db.exec(statement);
    db.prepare(`INSERT INTO ${tables.migrations} (version, name) VALUES (1, 'initial schema')`).run();
    db.prepare(
      `INSERT INTO ${tables.runs} (run_id, workflow, status, pause_reason, wake_at, version, last_seq, lease_owner, lease_expires_at, usage, step_index, step_name, cancel_requested, forked_from_run_id, forked_from_seq, created_at, updated_at) VALUES ('old-run', 'wf', 'completed', NULL, NULL, 3, 0, NULL, NULL, '{"inputTokens":0,"outputTokens":0,"totalTokens":0,"savedTokens":0,"modelCalls":0}', 0, NULL, 0, NULL, NULL, 1, 2)`,
    ).run();
    db.prepare(`INSERT INTO ${tables.payloads} (run_id, input, output, error) VALUES ('old-run', '{}', '"ok"', NULL)`).run();
    // (closed after the test, with the other handles)
    const store = open(path);
    expect(await store.getRun('old-run')).toMatchObject({
      runId: 'old-run',
      status: 'completed',
      metadata: null,
      expiresAt: null,
    });
    const updated = await store.updateRun('old-run', 3, { updatedAt: 5, metadata: { userId: 'u1' }, expiresAt: 99 });
    expect(updated).toMatchObject({ metadata: { userId: 'u1' }, expiresAt: 99, version: 4 });
    await store.close();
    const reopened = open(path);
    expect(await reopened.getRun('old-run')).toMatchObject({ metadata: { userId: 'u1' }, expiresAt: 99 });
    await reopened.close();
  });

  it('migrates safely when 4 processes open a new database at the same moment', async () => {
    const path = freshPath();
    const children = await runRacingChildren('open-sqlite.ts', [[path], [path], [path], [path]]);
    expect(children.map((child) => child.result)).toStrictEqual([0, 1, 2, 3].map(() => ({ opened: true })));
    expect(raw(path).prepare('SELECT count(*) AS n FROM cairn_migrations').get()).toEqual({ n: SCHEMA_VERSION });
    const store = open(path);
    await store.createRun(newRunFixture('run-1'));
    expect((await store.append('run-1', 0, [entryFixture('a#0')])).lastSeq).toBe(1);
  });

  it('refuses a database migrated by a newer version of the package', async () => {
    const path = freshPath();
    await open(path).close();
    raw(path)
      .prepare('INSERT INTO cairn_migrations (version, name) VALUES (?, ?)')
      .run(SCHEMA_VERSION + 1, 'from the future');
    const error = await failure(() => createSqliteStore({ path }));
    expect(error.code).toBe('storage-unavailable');
    expect(error.message).toMatch(/^\[@cairn\/storage-node\] .*newer/);
  });

  it('reports a locked database as retryable storage-unavailable, and works once the lock is gone', async () => {
    const path = freshPath();
    const store = open(path, { busyTimeoutMs: 50 });
    await store.createRun(newRunFixture('run-1'));
    const other = raw(path);
    other.exec('BEGIN IMMEDIATE');
    const error = await failure(() => store.append('run-1', 0, [entryFixture('a#0')]));
    expect(error.code).toBe('storage-unavailable');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('run "run-1"');
    expect((error.cause as { errcode?: number }).errcode! & 0xff).toBe(5);
    other.exec('ROLLBACK');
    expect((await store.append('run-1', 0, [entryFixture('a#0')])).lastSeq).toBe(1);
  });

  it('reports a file that is not a database as non-retryable storage-unavailable with the cause', async () => {
    const path = freshPath();
    writeFileSync(path, 'this is not a database, '.repeat(400));
    const error = await failure(() => createSqliteStore({ path }));
    expect(error.code).toBe('storage-unavailable');
    expect(error.retryable).toBe(false);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('validates its options', async () => {
    expect((await failure(() => createSqliteStore({ path: '' }))).code).toBe('invalid-argument');
    expect((await failure(() => createSqliteStore({ path: freshPath(), synchronous: 'off' as 'full' }))).code).toBe(
      'invalid-argument',
    );
    expect((await failure(() => createSqliteStore({ path: freshPath(), busyTimeoutMs: -1 }))).code).toBe('invalid-argument');
    expect((await failure(() => createSqliteStore({ path: freshPath(), maxPayloadBytes: 0 }))).code).toBe('invalid-argument');
    expect(open(freshPath()).limits.maxPayloadBytes).toBe(64 * 1024 * 1024);
  });

  it('refuses strings that UTF-8 cannot keep (lone surrogates) instead of changing them', async () => {
    const store = open(freshPath());
    await store.createRun(newRunFixture('run-1'));
    expect((await failure(() => store.append('run-1', 0, [entryFixture('a#0', { payload: '{"v":"\uD800"}' })]))).code).toBe(
      'invalid-argument',
    );
    expect((await failure(() => store.createRun(newRunFixture('run-2', { workflow: 'w\uDFFF' })))).code).toBe('invalid-argument');
    expect(await store.readEntries('run-1')).toStrictEqual([]);
  });

  it("sees another connection's writes before its own append, whatever it cached", async () => {
    const path = freshPath();
    const first = open(path);
    const second = open(path);
    await first.createRun(newRunFixture('run-1'));
    await first.append('run-1', 0, [entryFixture('a#0')], { step: { index: 1, name: 'a' }, updatedAt: 1 });
    await second.updateRun('run-1', 0, { lease: { owner: 'second', expiresAt: 99 }, updatedAt: 2 });
    await second.append('run-1', 1, [entryFixture('b#0')], { step: { index: 2, name: 'b' }, updatedAt: 3 });
    expect((await failure(() => first.append('run-1', 1, [entryFixture('a#1')]))).code).toBe('storage-conflict');
    const record = await first.append('run-1', 2, [entryFixture('a#1')]);
    expect(record).toMatchObject({
      version: 1,
      lastSeq: 3,
      lease: { owner: 'second' },
      step: { index: 2, name: 'b' },
      updatedAt: 3,
    });
    // A raw write by some other program is seen too.
    raw(path).prepare("UPDATE cairn_runs SET status = 'paused', pause_reason = 'manual' WHERE run_id = 'run-1'").run();
    expect(await first.append('run-1', 3, [entryFixture('a#2')])).toMatchObject({
      status: 'paused',
      pauseReason: 'manual',
      lastSeq: 4,
    });
  });

  it('keeps input, output and error out of the row every append rewrites', async () => {
    const path = freshPath();
    const store = open(path);
    const input = `{"v":"${'i'.repeat(100_000)}"}`;
    await store.createRun(newRunFixture('run-1', { input }));
    await store.append('run-1', 0, [entryFixture('a#0')], { output: '{"v":1}', updatedAt: 2 });
    const db = raw(path);
    const runColumns = (db.prepare('PRAGMA table_info(cairn_runs)').all() as { name: string }[]).map((column) => column.name);
    expect(runColumns).not.toContain('input');
    expect(db.prepare('SELECT length(input) AS n, output FROM cairn_run_payloads').get()).toEqual({
      n: input.length,
      output: '{"v":1}',
    });
    expect((await store.getRun('run-1'))?.input).toBe(input);
  });
});
