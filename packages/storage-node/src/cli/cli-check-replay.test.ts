// `cairn check-replay`, run as the real bin on a SQLite store holding runs of v1 (and v2) code:
// a paused order run the next deploy cannot resume, patched shipping runs on the old and the new
// path, a paused agent run whose instructions change. The check runs nothing: the side-effect
// ledger file stays empty, the counting model server gets no request, the journals are unchanged.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRuntime, type DurableStore, type Runtime } from '@cairn/core';
import { createOpenAITestServer, type OpenAITestServer } from '@cairn/test-rigs/openai-test-server';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { order, shipping, shopAgent, shopReply } from '../../test/test-support/fixtures/deploy-workflows.ts';
import { cairn, killCliChildren } from '../../test/test-support/run-cli.ts';
import { createSqliteStore } from '../sqlite/sqlite-store.ts';

const V2 = fileURLToPath(new URL('../../test/test-support/fixtures/deploy-v2-workflows.ts', import.meta.url));
const temp = makeTempDir('cli-check-replay');
const db = join(temp.path, 'runs.db');
const ledgerFile = join(temp.path, 'ledger.txt');
let server: OpenAITestServer;
let env: Record<string, string>;
const ids = { order: '', oldShipping: '', newShipping: '', doneShipping: '', shop: '' };
let journalBytes = 0;

async function journalSize(store: DurableStore): Promise<number> {
  let total = 0;
  for (const runId of Object.values(ids)) for (const entry of await store.readEntries(runId)) total += entry.payload.length + 1;
  return total;
}

beforeAll(async () => {
  server = await createOpenAITestServer({ respond: shopReply });
  env = { CAIRN_TEST_LEDGER: ledgerFile, CAIRN_TEST_BASE_URL: server.baseURL };
  const inProcess: string[] = [];
  const close = async (runtime: Runtime, store: DurableStore) => {
    await runtime.close();
    await store.close();
  };
  // v1 is live: an order, a shipping run and an agent run pause.
  let store = createSqliteStore({ path: db });
  let runtime = createRuntime({
    store,
    workflows: [order('v1', inProcess), shipping('v1', inProcess), shopAgent({}, inProcess, server.baseURL)],
  });
  ids.order = (await runtime.start('order', { id: 'o-1' })).runId;
  ids.oldShipping = (await runtime.start('shipping', { id: 'old' })).runId;
  ids.shop = (await runtime.start('shop', 'Refund order o-9')).runId;
  for (const runId of [ids.order, ids.oldShipping, ids.shop])
    expect((await runtime.handle(runId).settled()).status).toBe('paused');
  await close(runtime, store);
  // Shipping v2 is deployed first: one new run pauses on the new path, one completes.
  store = createSqliteStore({ path: db });
  runtime = createRuntime({ store, workflows: [shipping('v2', inProcess)] });
  ids.newShipping = (await runtime.start('shipping', { id: 'new' })).runId;
  ids.doneShipping = (await runtime.start('shipping', { id: 'done' })).runId;
  await runtime.handle(ids.newShipping).settled();
  await runtime.handle(ids.doneShipping).settled();
  await runtime.signal(ids.doneShipping, 'go', 'now');
  expect(await runtime.handle(ids.doneShipping).result()).toBe('done with receipt');
  await close(runtime, store);
  store = createSqliteStore({ path: db });
  journalBytes = await journalSize(store);
  await store.close();
}, 60_000);
afterEach(() => killCliChildren());
afterAll(async () => {
  await server?.close();
  temp.remove();
});

async function expectNothingRan(requestsBefore: number): Promise<void> {
  expect(existsSync(ledgerFile) ? readFileSync(ledgerFile, 'utf8') : '', 'no step or tool ran').toBe('');
  expect(server.requests.length, 'no model call').toBe(requestsBefore);
  const store = createSqliteStore({ path: db });
  try {
    expect(await journalSize(store), 'journals unchanged').toBe(journalBytes);
  } finally {
    await store.close();
  }
}

describe('cairn check-replay', () => {
  it('reports compatible and incompatible runs, the patch in use and the definition change; exit 1; runs nothing', async () => {
    const requests = server.requests.length;
    const result = await cairn(['check-replay', '--workflows', V2, '--store', `sqlite:${db}`], env);
    expect(result.code, result.stderr).toBe(1);
    const lines = result.stdout.split('\n');
    const line = (runId: string) => lines.find((l) => l.startsWith(runId)) ?? '';
    expect(line(ids.order)).toContain('INCOMPATIBLE (unconsumed-calls)');
    expect(line(ids.order)).toContain('"charge#0"');
    expect(line(ids.oldShipping)).toContain('compatible');
    expect(line(ids.newShipping)).toContain('compatible');
    expect(line(ids.shop)).toContain('compatible, definition changed');
    expect(line(ids.shop)).toContain('agent "shop": instructions (recorded on resume)');
    expect(result.stdout).not.toContain(ids.doneShipping);
    expect(result.stdout).toContain('patch "receipt": old path 1, new path 1 — keep: 1 run(s) take the old path');
    expect(result.stdout).toContain('4 runs checked: 3 compatible, 1 incompatible');
    expect(result.stdout).toContain(`${ids.order}: [@cairn/core] run "${ids.order}": non-determinism: the workflow returned`);
    await expectNothingRan(requests);
  });

  it('--json: one document with per-run verdicts and patch use', async () => {
    const requests = server.requests.length;
    const result = await cairn(['check-replay', '--workflows', V2, '--store', `sqlite:${db}`, '--json'], env);
    expect(result.code, result.stderr).toBe(1);
    const report = result.json();
    expect(report).toMatchObject({ ok: false, checked: 4, compatible: 3, incompatible: 1 });
    const byId = new Map(report.runs.map((run: { runId: string }) => [run.runId, run]));
    expect(byId.get(ids.order)).toMatchObject({
      workflow: 'order',
      status: 'paused',
      compatible: false,
      stoppedAt: 'stopped',
      problem: { kind: 'unconsumed-calls', recorded: 'charge#0', callIndex: 1, count: 1, seq: expect.any(Number) },
    });
    expect(byId.get(ids.oldShipping)).toMatchObject({
      compatible: true,
      stoppedAt: 'waiting',
      patches: [{ patchId: 'receipt', path: 'old' }],
    });
    expect(byId.get(ids.newShipping)).toMatchObject({ compatible: true, patches: [{ patchId: 'receipt', path: 'new' }] });
    expect(byId.get(ids.shop)).toMatchObject({
      compatible: true,
      definitionChanges: [{ agent: 'shop', parts: ['instructions'] }],
    });
    expect(report.patches).toEqual([
      { patchId: 'receipt', oldPath: [ids.oldShipping], newPath: [ids.newShipping], retirable: false },
    ]);
    await expectNothingRan(requests);
  });

  it('--all adds the completed run; --run checks only the runs named (exit 0 when they are compatible)', async () => {
    const all = await cairn(['check-replay', '--workflows', V2, '--store', `sqlite:${db}`, '--all', '--json'], env);
    expect(all.code).toBe(1);
    const report = all.json();
    expect(report.checked).toBe(5);
    expect(report.runs.find((r: { runId: string }) => r.runId === ids.doneShipping)).toMatchObject({
      status: 'completed',
      compatible: true,
      stoppedAt: 'returned',
    });
    const some = await cairn(
      ['check-replay', '--workflows', V2, '--store', `sqlite:${db}`, '--run', `${ids.oldShipping},${ids.shop}`],
      env,
    );
    expect(some.code, some.stdout + some.stderr).toBe(0);
    expect(some.stdout).toContain('2 runs checked: 2 compatible, 0 incompatible');
    await expectNothingRan(server.requests.length);
  });

  it('cairn history shows the patch mark of a run on the new path', async () => {
    const result = await cairn(['history', ids.newShipping, '--store', `sqlite:${db}`], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/change-mark\s+patch:receipt\s.*patch taken \(new path\)/);
    const json = (await cairn(['history', ids.newShipping, '--store', `sqlite:${db}`, '--json'], env)).json();
    expect(json.items.find((item: { kind: string }) => item.kind === 'change-mark')).toMatchObject({
      key: 'patch:receipt',
      index: 1,
      change: { type: 'patch', patchId: 'receipt', index: 1 },
    });
  });

  it('usage errors exit 2, an unknown run exits 3', async () => {
    const missing = await cairn(['check-replay', '--store', `sqlite:${db}`], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('check-replay needs --workflows <module>');
    const both = await cairn(['check-replay', '--workflows', V2, '--store', `sqlite:${db}`, '--all', '--run', ids.order], env);
    expect(both.code).toBe(2);
    const unknown = await cairn(['check-replay', '--workflows', V2, '--store', `sqlite:${db}`, '--run', 'no-such-run'], env);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('no run "no-such-run"');
  });
});
