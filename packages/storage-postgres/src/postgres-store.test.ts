// What the conformance suite does not cover: identifiers from options, values that look like SQL,
// U+0000 in text columns, a pool of the caller's, an unreachable server, credentials in messages,
// migrations raced by handles and by processes, a schema newer than the package.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CairnError, type DurableStore, type RunPatch, type RunRecord } from '@cairn/core';
import { entryFixture, newRunFixture } from '@cairn/core/testing';
import { freePort } from '@cairn/test-rigs/postgres-server';
import { seededRandom } from '@cairn/test-rigs/seeded-random';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { dropSchemas, freshSchema } from '../test/postgres-harness.ts';
import { createPostgresStore } from './postgres-store.ts';

const url = inject('postgresUrl');
const schemas: string[] = [];
const admin = new pg.Pool({ connectionString: url, max: 2 });
afterAll(async () => {
  await dropSchemas(url, schemas);
  await admin.end();
});

function schema(): string {
  const name = freshSchema();
  schemas.push(name);
  return name;
}

async function tablesIn(name: string): Promise<string[]> {
  const { rows } = await admin.query<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY 1', [
    name,
  ]);
  return rows.map((row) => row.tablename);
}

describe('postgres store options', () => {
  it('puts its tables in the given schema under the given prefix; two prefixes in one schema stay apart', async () => {
    const name = schema();
    const a = createPostgresStore({ connectionString: url, schema: name, tablePrefix: 'app_' });
    const b = createPostgresStore({ connectionString: url, schema: name, tablePrefix: 'Other_' });
    await a.createRun(newRunFixture('run-1'));
    await b.createRun(newRunFixture('run-1'));
    await a.append('run-1', 0, [entryFixture('a#0')]);
    expect(await tablesIn(name)).toStrictEqual([
      'Other_entries',
      'Other_migrations',
      'Other_run_payloads',
      'Other_runs',
      'app_entries',
      'app_migrations',
      'app_run_payloads',
      'app_runs',
    ]);
    expect((await b.getRun('run-1'))?.lastSeq).toBe(0);
    expect((await a.getRun('run-1'))?.lastSeq).toBe(1);
    await Promise.all([a.close(), b.close()]);
  });

  it('refuses hostile or reserved identifiers before connecting, naming the option', async () => {
    const hostile = ['x"; DROP TABLE cairn_runs; --', 'pg_catalog', '', 'a'.repeat(64), 'naïve', '1abc', 'a b'];
    for (const value of hostile) {
      expect(() => createPostgresStore({ connectionString: url, schema: value }), value).toThrow(
        /\[@cairn\/storage-postgres\] schema/,
      );
    }
    for (const value of ['x"', 'pg_', 'a'.repeat(32), 'drop table;']) {
      expect(() => createPostgresStore({ connectionString: url, tablePrefix: value }), value).toThrow(/tablePrefix/);
    }
    const { rows } = await admin.query("SELECT 1 FROM pg_namespace WHERE nspname LIKE 'x%DROP%'");
    expect(rows).toHaveLength(0);
  });

  it('binds every value: SQL-looking workflow names, keys and payloads round-trip and harm nothing', async () => {
    const store = createPostgresStore({ connectionString: url, schema: schema() });
    const evil = `'); DROP TABLE cairn_runs; -- $1 \\x00 "quoted"`;
    await store.createRun(newRunFixture('run-1', { workflow: evil, input: evil, metadata: { note: evil } }));
    await store.append('run-1', 0, [entryFixture(evil, { payload: evil })], { updatedAt: 2, step: { index: 1, name: evil } });
    const run = await store.getRun('run-1');
    expect(run).toMatchObject({ workflow: evil, input: evil, metadata: { note: evil }, step: { index: 1, name: evil } });
    expect(await store.readEntries('run-1')).toMatchObject([{ seq: 1, key: evil, payload: evil }]);
    expect((await store.listRuns({ workflow: evil })).runs.map((r) => r.runId)).toStrictEqual(['run-1']);
    await store.close();
  });

  it('refuses U+0000 in text columns with a clear error and writes nothing (payloads may hold it)', async () => {
    const store = createPostgresStore({ connectionString: url, schema: schema() });
    await expect(store.createRun(newRunFixture('run-1', { workflow: 'a\u0000b' }))).rejects.toThrow(
      /run "run-1": workflow must be free of U\+0000/,
    );
    await store.createRun(newRunFixture('run-1', { input: '{"v":"\u0000"}' }));
    await expect(store.append('run-1', 0, [entryFixture('k\u0000')])).rejects.toMatchObject({ code: 'invalid-argument' });
    expect(await store.getRun('run-1')).toMatchObject({ lastSeq: 0, input: '{"v":"\u0000"}' });
    await store.close();
  });

  it('works over a pool of the caller, and close() leaves that pool open', async () => {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    const store = createPostgresStore({ pool, schema: schema() });
    await store.createRun(newRunFixture('run-1'));
    await store.close();
    await expect(store.getRun('run-1')).rejects.toMatchObject({ code: 'storage-unavailable' });
    expect((await pool.query('SELECT 1 AS one')).rows).toStrictEqual([{ one: 1 }]);
    await pool.end();
  });

  it('an unreachable server is a retryable StorageUnavailableError that never shows the password', async () => {
    const port = await freePort();
    const store = createPostgresStore({ connectionString: `postgres://app:s3cret-pw@127.0.0.1:${port}/db`, schema: schema() });
    const error = await store.getRun('run-1').catch((caught: unknown) => caught);
    expect(CairnError.is(error, 'storage-unavailable')).toBe(true);
    expect((error as CairnError).retryable).toBe(true);
    expect((error as Error).message).toMatch(/^\[@cairn\/storage-postgres\] run "run-1": getRun failed: ECONNREFUSED/);
    expect(JSON.stringify({ message: (error as Error).message, stack: (error as Error).stack })).not.toContain('s3cret');
    await store.close();
  });

  it('a run deleted and created again under its id by another handle is never served from the payloads this handle kept', async () => {
    const name = schema();
    const a = createPostgresStore({ connectionString: url, schema: name });
    const b = createPostgresStore({ connectionString: url, schema: name });
    try {
      await a.createRun(newRunFixture('reborn', { input: '"old input"' }));
      await a.append('reborn', 0, [entryFixture('one')]);
      expect(await b.deleteRuns({ runIds: ['reborn'] })).toBe(1);
      await b.createRun(newRunFixture('reborn', { input: '"new input"' }));
      const appended = await a.append('reborn', 0, [entryFixture('first of the new run')]);
      expect(appended.input).toBe('"new input"');
      expect((await a.getRun('reborn'))?.input).toBe('"new input"');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('8 handles opening one fresh schema at once migrate it once', async () => {
    const name = schema();
    const stores = Array.from({ length: 8 }, () => createPostgresStore({ connectionString: url, schema: name, poolSize: 1 }));
    await Promise.all(stores.map((store, index) => store.createRun(newRunFixture(`run-${index}`))));
    const { rows } = await admin.query(`SELECT version, name FROM "${name}".cairn_migrations`);
    expect(rows).toStrictEqual([{ version: 1, name: 'initial schema' }]);
    expect((await stores[0]!.stats()).total).toBe(8);
    await Promise.all(stores.map((store) => store.close()));
  });

  it('4 processes opening one fresh schema at once migrate it once and all write', async () => {
    const name = schema();
    const script = fileURLToPath(new URL('../test/fixtures/open-store.ts', import.meta.url));
    const children = ['p0', 'p1', 'p2', 'p3'].map((child) => {
      const process_ = spawn(process.execPath, [script, url, name, child], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      const ready = new Promise<void>((resolve) => {
        process_.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('ready')) resolve();
        });
      });
      process_.stderr.on('data', (chunk: Buffer) => {
        err += chunk.toString();
      });
      const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
        process_.on('close', (code) => resolve({ code, out, err })),
      );
      return { process_, ready, done };
    });
    await Promise.all(children.map((child) => child.ready));
    for (const child of children) child.process_.stdin.end('go\n');
    const results = await Promise.all(children.map((child) => child.done));
    for (const result of results) expect(result.code, result.err).toBe(0);
    const { rows } = await admin.query(`SELECT version FROM "${name}".cairn_migrations`);
    expect(rows).toStrictEqual([{ version: 1 }]);
    const { rows: runs } = await admin.query(`SELECT run_id FROM "${name}".cairn_runs ORDER BY 1`);
    expect(runs.map((row) => row.run_id)).toStrictEqual(['p0', 'p1', 'p2', 'p3']);
  });

  it('refuses a schema migrated by a newer package, writing nothing', async () => {
    const name = schema();
    const first = createPostgresStore({ connectionString: url, schema: name });
    await first.stats();
    await first.close();
    await admin.query(`INSERT INTO "${name}".cairn_migrations (version, name) VALUES (99, 'future')`);
    const store = createPostgresStore({ connectionString: url, schema: name });
    await expect(store.createRun(newRunFixture('run-1'))).rejects.toThrow(
      /schema version 99, newer than the 1 this package knows/,
    );
    expect((await admin.query(`SELECT count(*)::int AS n FROM "${name}".cairn_runs`)).rows).toStrictEqual([{ n: 0 }]);
    await store.close();
  });
});

// A caller's pool that notes, for each append, whether the store built the returned record from
// the row it knew (the server answered null) or read the row the server returned.
function watchedPool(): { pool: pg.Pool; paths: string[] } {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const paths: string[] = [];
  const query = pool.query.bind(pool) as (config: unknown) => Promise<pg.QueryResult>;
  (pool as unknown as { query: (config: { text?: string }) => Promise<pg.QueryResult> }).query = (config) => {
    const result = query(config);
    if (config.text?.includes('to_json'))
      void result.then(
        ({ rows }) => paths.push(rows.length === 0 ? 'lost' : rows[0][0] === null ? 'built' : 'read'),
        () => {},
      );
    return result;
  };
  return { pool, paths };
}

describe('postgres append: the record it returns is the stored row', () => {
  it('built from the known row only when it is the stored one; every header field, two handles, compared with getRun', async () => {
    const name = schema();
    const { pool, paths } = watchedPool();
    const a = createPostgresStore({ pool, schema: name });
    const b = createPostgresStore({ connectionString: url, schema: name });
    const reader = createPostgresStore({ connectionString: url, schema: name });
    const stored = async (record: RunRecord) => expect(record).toStrictEqual(await reader.getRun(record.runId));
    try {
      await a.createRun(newRunFixture('r', { metadata: { k: 'v' } }));
      // A lone surrogate is stored as U+FFFD; 0.1 + 0.2 round-trips through float8 text.
      let record = await a.append('r', 0, [entryFixture('e1')], { updatedAt: 2, step: { index: 0.1 + 0.2, name: 'a\ud800b' } });
      expect(record.step).toStrictEqual({ index: 0.1 + 0.2, name: 'a\ufffdb' });
      await stored(record);
      // Another handle changes the header without moving lastSeq.
      await b.updateRun('r', 0, {
        updatedAt: 3,
        status: 'paused',
        pauseReason: 'manual',
        lease: { owner: 'b', expiresAt: 9 },
        cancelRequested: true,
        metadata: { k: 'w' },
        output: '"out"',
      });
      record = await a.append('r', 1, [entryFixture('e2')], { updatedAt: 4 });
      expect(record).toMatchObject({
        status: 'paused',
        lease: { owner: 'b' },
        cancelRequested: true,
        metadata: { k: 'w' },
        output: '"out"',
      });
      await stored(record);
      // Every header field at once, with -0 (stored as 0) and a huge float.
      record = await a.append('r', 2, [entryFixture('e3')], {
        updatedAt: 5,
        status: 'running',
        pauseReason: null,
        wakeAt: -0,
        lease: null,
        usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3, savedTokens: 0, modelCalls: 1 },
        step: { index: -0, name: null },
        cancelRequested: false,
        forkedFrom: { runId: 'x\udc00', atSeq: 1 },
        expiresAt: 1e21,
        attempt: 2,
      });
      expect(Object.is(record.wakeAt, 0) && Object.is(record.step.index, 0)).toBe(true);
      expect(record.forkedFrom).toStrictEqual({ runId: 'x\ufffd', atSeq: 1 });
      await stored(record);
      // Another handle appends (moving lastSeq) with a patch of its own.
      await b.append('r', 3, [entryFixture('e4')], {
        updatedAt: 6,
        status: 'failed',
        error: '"boom"',
        step: { index: 9, name: 'b' },
      });
      record = await a.append('r', 4, [entryFixture('e5')], { updatedAt: 7 });
      expect(record).toMatchObject({ status: 'failed', error: '"boom"', step: { index: 9, name: 'b' } });
      await stored(record);
      // Payload fields in the patch (payload_version moves with them).
      record = await a.append('r', 5, [entryFixture('e6')], { updatedAt: 8, input: '"in2"', output: null, metadata: null });
      await stored(record);
      record = await a.append('r', 6, [entryFixture('e7')], { updatedAt: 9, metadata: { z: '1' } });
      await stored(record);
      // What the caller does to a returned record never reaches the next one.
      record.usage.inputTokens = 999;
      record.step.name = 'mutated';
      (record.metadata as Record<string, string>).z = 'mutated';
      record = await a.append('r', 7, [entryFixture('e8')], { updatedAt: 10 });
      await stored(record);
      expect(paths).toStrictEqual(['built', 'read', 'built', 'read', 'built', 'built', 'built']);

      // Deleted and created again by another handle at the same tokens (version 0, lastSeq 0): the
      // new run's payload_version differs, so the row is read, never built from the old one.
      await a.createRun(newRunFixture('s', { input: '"old"' }));
      await b.deleteRuns({ runIds: ['s'] });
      await b.createRun(newRunFixture('s', { workflow: 'other', input: '"new"', metadata: { n: '1' } }));
      record = await a.append('s', 0, [entryFixture('s1')], { updatedAt: 2 });
      expect(record).toMatchObject({ workflow: 'other', input: '"new"', metadata: { n: '1' } });
      await stored(record);
      expect(paths.at(-1)).toBe('read');

      // A run created by this handle with values the server stores differently (lone surrogates,
      // -0): createRun's record and the appends built on it are the stored row.
      const created = await a.createRun(
        newRunFixture('c', {
          workflow: 'w\ud800',
          createdAt: -0,
          wakeAt: -0,
          lease: { owner: 'o\udc00', expiresAt: -0 },
          step: { index: -0, name: 'n\ud800' },
          forkedFrom: { runId: 'f\ud800', atSeq: -0 },
        }),
      );
      await stored(created);
      record = await a.append('c', 0, [entryFixture('c1')], { updatedAt: 2 });
      await stored(record);
      expect(paths.at(-1)).toBe('built');
    } finally {
      await Promise.all([a.close(), b.close(), reader.close()]);
      await pool.end();
    }
  });

  it('random patches from two handles (appends and updateRun): every append returns exactly the row getRun reads', async () => {
    const name = schema();
    const random = seededRandom(Number(process.env.CAIRN_E2E_SEED ?? 20_260_201));
    const pick = <T>(values: readonly T[]): T => values[random.between(0, values.length - 1)]!;
    const { pool, paths } = watchedPool();
    const a = createPostgresStore({ pool, schema: name });
    const b = createPostgresStore({ connectionString: url, schema: name });
    const reader = createPostgresStore({ connectionString: url, schema: name });
    const fields: Record<string, () => unknown> = {
      status: () => pick(['running', 'paused', 'failed', 'completed', 'cancelled']),
      pauseReason: () => pick([null, 'manual', 'sleep']),
      wakeAt: () => pick([null, -0, 0.1 + 0.2, 1e21, 12_345.678]),
      lease: () => pick([null, { owner: 'o\ud800', expiresAt: 5.5 }, { owner: 'p', expiresAt: -0 }]),
      usage: () => ({ inputTokens: random.between(0, 9), outputTokens: 0, totalTokens: 0, savedTokens: 0, modelCalls: 1 }),
      step: () => ({ index: random.between(0, 99) / 7, name: pick([null, 's', 'x\udc00']) }),
      cancelRequested: () => random.next() < 0.5,
      forkedFrom: () => pick([null, { runId: 'f', atSeq: 3 }]),
      expiresAt: () => pick([null, 7.25]),
      attempt: () => random.between(1, 5),
      input: () => pick(['"i"', '{"x":1}']),
      output: () => pick([null, '"o"', '']),
      error: () => pick([null, '"e"']),
      metadata: () => pick([null, {}, { a: '1' }]),
    };
    const patchOf = (time: number): RunPatch => {
      const patch: Record<string, unknown> = { updatedAt: time + 0.5 };
      for (const [field, make] of Object.entries(fields)) if (random.next() < 0.25) patch[field] = make();
      return patch as RunPatch;
    };
    try {
      await a.createRun(newRunFixture('fuzz'));
      for (let step = 0; step < 150; step++) {
        const current = (await reader.getRun('fuzz'))!;
        const writer: DurableStore = random.next() < 0.75 ? a : b;
        const record =
          random.next() < 0.8
            ? await writer.append(
                'fuzz',
                current.lastSeq,
                [entryFixture(`k${step}`)],
                random.next() < 0.5 ? undefined : patchOf(step),
              )
            : await writer.updateRun('fuzz', current.version, patchOf(step));
        expect(record, `step ${step}`).toStrictEqual(await reader.getRun('fuzz'));
      }
      expect(paths.filter((path) => path === 'built').length).toBeGreaterThan(20);
      expect(paths.filter((path) => path === 'read').length).toBeGreaterThan(10);
    } finally {
      await Promise.all([a.close(), b.close(), reader.close()]);
      await pool.end();
    }
  });
});
