// The seeds' recovery flow, end to end in two processes, with the real `openai` client over HTTP:
// an agent run fails because the model endpoint answers 503 until it is "fixed", the process exits;
// a new process continues the same run — by `agent.resume(runId)`, by `cairn retry` and by `cairn
// retry --all-failed`. Completed model calls and tools are replayed (the counting server and the
// sales ledger prove it), the failed call is made again, and the run completes. On SQLite, and by
// `agent.resume(runId)` on Postgres (a private server for this file) and Redis (the project's
// private server), the children opening `openStore('postgres://…')` / `openStore('redis://…')`.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DurableStore } from '@cairn/core';
import { createOpenAITestServer, type OpenAITestServer, type RecordedRequest } from '@cairn/test-rigs/openai-test-server';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore, openStore } from '../../src/index.ts';
import { CLI_WORKFLOWS, SHOP_OUTPUT } from '../test-support/agent-store.ts';
import { cairn, killCliChildren } from '../test-support/run-cli.ts';
import { STORE_KINDS } from '../test-support/store-kinds.ts';
import { readSales, shopReply } from './fixtures/shop-agent.ts';

const CHILD = fileURLToPath(new URL('./fixtures/agent-child.ts', import.meta.url));
const API_KEY = 'sk-test-retry-5b0c1e7a9d';
/** The model call that fails while the endpoint is down: the third (after two tool turns). */
const FAILING_TURN = 2;

const temp = makeTempDir('agent-retry');
const children = new Set<ChildProcess>();
let server: OpenAITestServer;
let down = false;

// biome-ignore lint/suspicious/noExplicitAny: request bodies as the server received them
function turnOf(body: any): number {
  return body.messages.filter((m: { role: string }) => m.role === 'assistant').length;
}

// biome-ignore lint/suspicious/noExplicitAny: JSON lines printed by the child
function runChild(args: Record<string, unknown>): Promise<{ code: number | null; lines: any[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CAIRN_TEST_API_KEY: API_KEY },
    });
    children.add(child);
    let out = '';
    let stderr = '';
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not finish in 60 s: ${stderr}`));
    }, 60_000);
    child.stdout.on('data', (data: Buffer) => {
      out += data.toString('utf8');
    });
    child.stderr.on('data', (data: Buffer) => {
      stderr += data.toString('utf8');
    });
    child.on('exit', (code) => {
      clearTimeout(guard);
      children.delete(child);
      const lines = out
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line));
      resolve({ code, lines, stderr });
    });
  });
}

/** Where one scenario's runs live: the child's store arguments, the CLI's `--store` spec, how to open it here. */
interface Scenario {
  store: { db: string } | { store: string };
  spec: string;
  salesFile: string;
  runId: string;
  env: Record<string, string>;
  open(): DurableStore;
}

/** Run the shop agent in a child process until the endpoint's 503s fail it; returns the requests it made. */
async function failedRun(s: Scenario, salesFile = s.salesFile, runId = s.runId): Promise<RecordedRequest[]> {
  const before = server.requests.length;
  down = true;
  const first = await runChild({
    mode: 'run',
    ...s.store,
    salesFile,
    baseURL: server.baseURL,
    model: 'shop',
    runId,
    input: 'Record the day.',
  });
  down = false;
  expect(first.code, first.stderr).toBe(1);
  expect(first.lines.at(-1)).toMatchObject({ event: 'error', code: 'run-failed' });
  const made = server.requests.slice(before);
  expect(made.filter((r) => r.fault === 'status').length, 'the step retried the 503 before failing').toBeGreaterThanOrEqual(2);
  const store = s.open();
  expect((await store.getRun(runId))?.status).toBe('failed');
  await store.close();
  // Two tool turns were completed and recorded before the failure: pear and apple were sold.
  expect(
    readSales(salesFile)
      .map((sale) => sale.item)
      .sort(),
  ).toEqual(['apple', 'pear']);
  return made;
}

/** The requests of one run after its retry: each completed turn asked once in all, the failed turn asked again. */
function expectReplayed(before: RecordedRequest[], after: RecordedRequest[]): void {
  const ok = (requests: RecordedRequest[], turn: number) =>
    requests.filter((r) => r.fault === undefined && turnOf(r.body) === turn).length;
  expect(ok(before, 0) + ok(after, 0), 'turn 1 (completed before the failure) asked once').toBe(1);
  expect(ok(before, 1) + ok(after, 1), 'turn 2 (completed before the failure) asked once').toBe(1);
  expect(ok(before, FAILING_TURN), 'the failed turn never succeeded before the retry').toBe(0);
  expect(ok(after, FAILING_TURN), 'the failed turn was asked again, once').toBe(1);
  expect(
    after.every((r) => turnOf(r.body) >= FAILING_TURN),
    'nothing before the failed turn was asked again',
  ).toBe(true);
}

function expectEachSaleOnce(salesFile: string): void {
  const sales = readSales(salesFile);
  expect(sales.map((s) => s.item).sort()).toEqual(['apple', 'fig', 'kiwi', 'pear', 'plum']);
  expect(new Set(sales.map((s) => s.key)).size).toBe(5);
}

function environment(salesFile: string): Record<string, string> {
  return { CAIRN_TEST_BASE_URL: server.baseURL, CAIRN_TEST_SALES_FILE: salesFile, CAIRN_TEST_API_KEY: API_KEY };
}

/** A scenario on a SQLite file in the temp folder. */
function scenario(name: string): Scenario {
  const base = join(temp.path, name);
  const db = `${base}.db`;
  return {
    store: { db },
    spec: `sqlite:${db}`,
    salesFile: `${base}.sales`,
    runId: `run_${name}`,
    env: environment(`${base}.sales`),
    open: () => createSqliteStore({ path: db }),
  };
}

/** A scenario on the store an `openStore` spec names. */
function specScenario(spec: string, name: string): Scenario {
  const salesFile = join(temp.path, `${name}.sales`);
  return {
    store: { store: spec },
    spec,
    salesFile,
    runId: `run_${name}`,
    env: environment(salesFile),
    open: () => openStore(spec),
  };
}

/** `agent.resume(runId)` in a new process continues the failed run of `s` in place. */
async function resumeInPlace(s: Scenario): Promise<void> {
  const { runId } = s;
  const before = await failedRun(s);
  const mark = server.requests.length;
  const second = await runChild({
    mode: 'resume',
    ...s.store,
    salesFile: s.salesFile,
    baseURL: server.baseURL,
    model: 'shop',
    runId,
  });
  expect(second.code, second.stderr).toBe(0);
  expect(second.lines.at(-1)).toMatchObject({ event: 'result', result: { status: 'completed', runId, output: SHOP_OUTPUT } });
  expectReplayed(before, server.requests.slice(mark));
  expectEachSaleOnce(s.salesFile);
  const store = s.open();
  const retries = (await store.readEntries(runId)).filter((e) => e.kind === 'run-retry');
  await store.close();
  expect(retries).toHaveLength(1);
  expect(JSON.parse(retries[0]!.payload)).toMatchObject({ by: 'agent.resume', n: 2 });
}

const SERVER_KINDS = [STORE_KINDS.postgres, STORE_KINDS.redis];

beforeAll(async () => {
  server = await createOpenAITestServer({
    respond: shopReply,
    faultFor: (body) => (down && turnOf(body) >= FAILING_TURN ? { kind: 'status', status: 503 } : undefined),
    delayMs: 5,
    chunkDelayMs: 1,
  });
  await Promise.all(SERVER_KINDS.map((kind) => kind.setup(temp.path)));
}, 60_000);
afterEach(() => {
  killCliChildren();
  for (const child of children) child.kill('SIGKILL');
  children.clear();
});
afterAll(async () => {
  await server.close();
  await Promise.all(SERVER_KINDS.map((kind) => kind.teardown()));
  temp.remove();
});

describe('a failed agent run continues in place in a new process (SQLite, real openai client)', () => {
  it('agent.resume(runId): same run id, completed model calls and tools replayed, the failed call made again, completed', async () => {
    await resumeInPlace(scenario('resume'));
  });

  it('cairn retry <runId>: the same through the real bin, the retry in cairn history', async () => {
    const s = scenario('cli');
    const { runId, env, spec: store } = s;
    const before = await failedRun(s);
    const mark = server.requests.length;
    const result = await cairn(
      ['retry', runId, '--workflows', CLI_WORKFLOWS, '--store', store, '--by', 'oncall', '--reason', 'endpoint fixed', '--json'],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.json()).toMatchObject({ runId, status: 'completed', output: SHOP_OUTPUT, attempt: 2 });
    expectReplayed(before, server.requests.slice(mark));
    expectEachSaleOnce(s.salesFile);
    const history = await cairn(['history', runId, '--store', store, '--json'], env);
    const items = history.json().items as Array<{ kind: string; retry?: object }>;
    expect(items.filter((item) => item.kind === 'run-retry').map((item) => item.retry)).toEqual([
      { by: 'oncall', reason: 'endpoint fixed', at: expect.any(Number), attempt: 2 },
    ]);
    const shown = await cairn(['show', runId, '--store', store, '--no-color'], env);
    expect(shown.stdout).toMatch(/Attempt\s+2 \(retried/);
    const text = await cairn(['history', runId, '--store', store, '--no-color'], env);
    expect(text.stdout).toContain('retried by oncall (attempt 2): endpoint fixed');
    // A completed run is not retried again: exit 1 with a message naming it.
    const again = await cairn(['retry', runId, '--workflows', CLI_WORKFLOWS, '--store', store], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`run "${runId}" cannot be retried: it completed`);
  });

  it('cairn retry --all-failed: every failed run retried and completed; usage errors exit 2', async () => {
    const s = scenario('all');
    const { env, spec: store } = s;
    const runs = ['run_all_a', 'run_all_b'];
    for (const [i, runId] of runs.entries()) await failedRun(s, `${s.salesFile}.${i}`, runId);
    // Both runs share one sales file name pattern per run: point the module at the first; sales of
    // the second go to the same file, which this check does not read.
    const result = await cairn(['retry', '--all-failed', '--workflows', CLI_WORKFLOWS, '--store', store, '--json'], {
      ...env,
      CAIRN_TEST_SALES_FILE: `${s.salesFile}.all`,
    });
    expect(result.code, result.stderr).toBe(0);
    const out = result.json() as { retried: Array<{ runId: string; status: string; output: string }>; failed: unknown[] };
    expect(out.failed).toEqual([]);
    expect(out.retried.map((r) => r.runId).sort()).toEqual(runs);
    for (const run of out.retried) expect(run).toMatchObject({ status: 'completed', output: SHOP_OUTPUT });
    const none = await cairn(['retry', '--all-failed', '--workflows', CLI_WORKFLOWS, '--store', store, '--json'], env);
    expect(none.json()).toEqual({ retried: [], failed: [] });
    const both = await cairn(['retry', 'run_all_a', '--all-failed', '--workflows', CLI_WORKFLOWS, '--store', store], env);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('either a <runId> or --all-failed');
    const neither = await cairn(['retry', '--workflows', CLI_WORKFLOWS, '--store', store], env);
    expect(neither.code).toBe(2);
  });
});

for (const kind of SERVER_KINDS) {
  describe(`a failed agent run continues in place in a new process (${kind.kind} through openStore, real openai client)`, () => {
    it('agent.resume(runId): completed model calls and tools replayed, the failed call made again, completed', async () => {
      await resumeInPlace(specScenario(kind.location('resume'), `${kind.kind}-resume`));
    });
  });
}
