// openStore('postgres://…') against a real private server, and the CLI on it: a Postgres spec
// opens @cairn/storage-postgres (loaded on first use), takes schema and tablePrefix from the URL,
// and never shows the password, in output or in errors.
import { newRunFixture } from '@cairn/core/testing';
import { freePort, type PostgresServer, startPostgresServer } from '@cairn/test-rigs/postgres-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cairn, killCliChildren } from '../../test/test-support/run-cli.ts';
import { openStore, parseStoreSpec } from '../open-store.ts';
import { redactSpec } from './postgres-spec.ts';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgresServer();
}, 60_000);
afterAll(async () => {
  await server?.remove();
});
afterEach(killCliChildren);

// The test server trusts local connections: a password in the URL is accepted and ignored.
const withPassword = (schema: string) => `${server.url.replace('postgres@', 'postgres:s3cret-pw@')}?schema=${schema}`;

describe('openStore with a postgres:// spec', () => {
  it('parses the URL, taking schema and tablePrefix out of it', () => {
    expect(parseStoreSpec('postgres://u:p@db.example:5433/app?schema=jobs&tablePrefix=x_&sslmode=require')).toStrictEqual({
      kind: 'postgres',
      url: 'postgres://u:p@db.example:5433/app?sslmode=require',
      schema: 'jobs',
      tablePrefix: 'x_',
    });
    expect(parseStoreSpec('postgresql://localhost/app')).toMatchObject({ kind: 'postgres', url: 'postgresql://localhost/app' });
    expect(redactSpec('postgres://user:pw@host/db')).toBe('postgres://***@host/db');
    expect(() => parseStoreSpec('postgres://u:secret@[bad')).toThrow(/not a valid postgres:\/\/ URL/);
    expect(() => parseStoreSpec('postgres://u:secret@[bad')).not.toThrow(/secret/);
  });

  it('opens the store on a real server: name and limits at once, data across handles', async () => {
    const spec = withPassword('open_store');
    const store = openStore(spec, { maxPayloadBytes: 4096 });
    expect(store.name).toBe('postgres');
    expect(store.limits.maxPayloadBytes).toBe(4096);
    await store.createRun(newRunFixture('run-1'));
    await store.close();
    await expect(store.getRun('run-1')).rejects.toMatchObject({ code: 'storage-unavailable' });
    const again = openStore(spec);
    expect((await again.getRun('run-1'))?.runId).toBe('run-1');
    await expect(again.createRun(newRunFixture('run-2', { input: 'x'.repeat(4097) }))).resolves.toBeDefined();
    await again.close();
  });
});

describe('cairn --store postgres://…', () => {
  it('lists and counts runs of a Postgres store, and never prints the password', async () => {
    const spec = withPassword('cli_store');
    const store = openStore(spec);
    await store.createRun(newRunFixture('run-a', { workflow: 'greet' }));
    await store.close();
    const stats = await cairn(['stats', '--store', spec, '--json']);
    expect(stats.code, stats.stderr).toBe(0);
    expect(stats.json()).toMatchObject({ total: 1, backend: 'postgres' });
    const list = await cairn(['list'], { CAIRN_STORE: spec });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('run-a');
    for (const run of [stats, list]) expect(run.stdout + run.stderr).not.toContain('s3cret');
  });

  it('an unreachable server fails with exit 1 and a message without the password', async () => {
    const port = await freePort();
    const spec = `postgres://admin:s3cret-pw@127.0.0.1:${port}/app`;
    for (const json of [false, true]) {
      const run = await cairn(['stats', '--store', spec, ...(json ? ['--json'] : [])], { CAIRN_DEBUG: '1' });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/ECONNREFUSED/);
      expect(run.stdout + run.stderr).not.toContain('s3cret');
    }
    const usage = await cairn(['stats', '--store', 'postgres://admin:s3cret-pw@[broken/app']);
    expect(usage.code).toBe(2);
    expect(usage.stdout + usage.stderr).not.toContain('s3cret');
  });
});
