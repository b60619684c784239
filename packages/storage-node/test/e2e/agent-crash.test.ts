// End to end: the shop agent in child processes over one store, the real `openai` client over HTTP
// to a local server. A child is SIGKILLed at random points and the run resumed in a new process;
// the outcome must be the uninterrupted run's, with at most one repeated (in-flight) model request and
// every side effect exactly once. Then an approval decided by another process after a restart.
// SQLite gets every scenario; Postgres (a private server for this file) and Redis (the project's
// private server) get the two kills that matter — a model request in flight, a sale made but not yet
// journaled — with the children opening `postgres://…` / `redis://…` through `openStore`, as a user would.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DurableStore } from '@cairn/core';
import { expectIntactJournal, readJournal } from '@cairn/test-rigs/agent-journal';
import { type ChildOutcome, killRunningChildren, resultOf, runKillableChild } from '@cairn/test-rigs/kill-child';
import { createOpenAITestServer, type OpenAITestServer } from '@cairn/test-rigs/openai-test-server';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore, openStore } from '../../src/index.ts';
import { STORE_KINDS } from '../test-support/store-kinds.ts';
import { GATEWAY_SECRET, readSales, refundReply, shopReply } from './fixtures/shop-agent.ts';

const CHILD = fileURLToPath(new URL('./fixtures/agent-child.ts', import.meta.url));
const API_KEY = 'sk-test-e2e-3a9f27c4d1b86e05';
const KILLS = 5;

const temp = makeTempDir('agent-e2e');
let server: OpenAITestServer;

interface Kill {
  /** Polled every millisecond once the run started; SIGKILL as soon as it holds. */
  when?: () => boolean;
}

function runChild(args: Record<string, unknown>, kill: Kill = {}): Promise<ChildOutcome> {
  return runKillableChild(CHILD, args, { ...(kill.when ? { killWhen: kill.when } : {}), env: { CAIRN_TEST_API_KEY: API_KEY } });
}

function expectNoSecretsInFiles(db: string): void {
  for (const suffix of ['', '-wal', '-shm']) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(`${db}${suffix}`);
    } catch {
      continue;
    }
    expect(bytes.includes(API_KEY)).toBe(false);
    expect(bytes.includes(GATEWAY_SECRET)).toBe(false);
  }
}

/** Where one scenario's run lives: the child's store arguments, how to open it here, how to check it holds no secret. */
interface Scenario {
  store: { db: string } | { store: string };
  salesFile: string;
  runId: string;
  open(): DurableStore;
  expectNoSecrets(): Promise<void>;
}

/** A scenario on a SQLite file in the temp folder (its bytes are searched for secrets). */
function scenario(name: string): Scenario {
  const dir = join(temp.path, name);
  const db = `${dir}.db`;
  return {
    store: { db },
    salesFile: `${dir}.sales`,
    runId: `run_${name}`,
    open: () => createSqliteStore({ path: db }),
    expectNoSecrets: async () => expectNoSecretsInFiles(db),
  };
}

/** A scenario on a store a spec names (its run and journal, as stored, are searched for secrets). */
function specScenario(spec: string, name: string): Scenario {
  const open = () => openStore(spec);
  const runId = `run_${name}`;
  return {
    store: { store: spec },
    salesFile: join(temp.path, `${name}.sales`),
    runId,
    open,
    expectNoSecrets: async () => {
      const store = open();
      try {
        const stored = JSON.stringify([await store.getRun(runId), await store.readEntries(runId)]);
        expect(stored).not.toContain(API_KEY);
        expect(stored).not.toContain(GATEWAY_SECRET);
      } finally {
        await store.close();
      }
    },
  };
}

interface Baseline {
  output: string;
  bodies: string[];
  duration: number;
}

// The uninterrupted run, made once (on SQLite) by whichever test needs it first.
let baselineRun: Promise<Baseline> | undefined;
function baseline(): Promise<Baseline> {
  baselineRun ??= (async () => {
    const base = scenario('baseline');
    const before = server.requests.length;
    const done = await runChild({
      mode: 'start',
      model: 'shop',
      baseURL: server.baseURL,
      input: 'Record the day.',
      ...base.store,
      ...pick(base),
    });
    const result = resultOf(done);
    const made = server.requests.slice(before);
    expect(result).toMatchObject({
      status: 'completed',
      output: 'Recorded 5 sales (apple, pear, plum, fig, kiwi) totalling 2000 cents.',
    });
    expect(made).toHaveLength(6);
    expect(readSales(base.salesFile).map((sale) => sale.item)).toEqual(['apple', 'pear', 'plum', 'fig', 'kiwi']);
    expectIntactJournal(await readJournal(base.open, base.runId));
    // Every request carried the key and the gateway header; neither reached the store.
    expect(made.every((r) => r.headers.authorization === `Bearer ${API_KEY}`)).toBe(true);
    expect(made.every((r) => r.headers['x-gateway-secret'] === GATEWAY_SECRET)).toBe(true);
    await base.expectNoSecrets();
    return { output: result.output, bodies: made.map((r) => r.rawBody), duration: done.endedAt - done.startedAt! };
  })();
  return baselineRun;
}

/** The child arguments of a scenario besides its store. */
function pick(s: Scenario): { salesFile: string; runId: string } {
  return { salesFile: s.salesFile, runId: s.runId };
}

/**
 * Start the shop run of `s`, SIGKILL its process once `point` is reached (the n-th model request in
 * flight, or right after the n-th sale), resume it in a new process; the outcome must be the
 * baseline's: the same model requests (one repeated at most: the one in flight), each sale once.
 */
async function killAndResume(s: Scenario, point: { byRequests: boolean; n: number }): Promise<void> {
  const { bodies: baselineBodies, output, duration } = await baseline();
  const from = server.requests.length;
  const what = point.byRequests ? `model request ${point.n} in flight` : `sale ${point.n} recorded`;
  const killed = await runChild(
    { mode: 'start', model: 'shop', baseURL: server.baseURL, input: 'Record the day.', ...s.store, ...pick(s) },
    { when: () => (point.byRequests ? server.requests.length - from >= point.n : readSales(s.salesFile).length >= point.n) },
  );
  expect(killed.signal, `kill at ${what}`).toBe('SIGKILL');
  const landed = `kill at ${what} (baseline ${duration} ms): ${server.requests.length - from} model requests, ${readSales(s.salesFile).length} sales`;
  const resumed = await runChild({ mode: 'resume', model: 'shop', baseURL: server.baseURL, ...s.store, ...pick(s) });
  expect(resultOf(resumed), `kill at ${what}`).toMatchObject({ status: 'completed', output });
  const bodies = server.requests.slice(from).map((r) => r.rawBody);
  expect(new Set(bodies)).toEqual(new Set(baselineBodies));
  expect(bodies.length).toBeLessThanOrEqual(baselineBodies.length + 1);
  const sales = readSales(s.salesFile);
  expect(sales.map((x) => x.item).sort()).toEqual(['apple', 'fig', 'kiwi', 'pear', 'plum']);
  expect(new Set(sales.map((x) => x.key)).size).toBe(5);
  expectIntactJournal(await readJournal(s.open, s.runId));
  await s.expectNoSecrets();
  console.log(`${landed}; after resume ${bodies.length} requests`);
}

/**
 * SIGKILL the run of `s` right after its first sale, before the tool's end is journaled: the intent
 * is in the journal without its end, and the resumed run completes without selling again.
 */
async function killInTool(s: Scenario): Promise<void> {
  const from = server.requests.length;
  const killed = await runChild(
    { mode: 'start', model: 'shop', baseURL: server.baseURL, input: 'Record the day.', ...s.store, ...pick(s) },
    { when: () => readSales(s.salesFile).length >= 1 },
  );
  expect(killed.signal).toBe('SIGKILL');
  const journal = await readJournal(s.open, s.runId);
  const intent = journal.find((e) => e.kind === 'step-start' && e.key === 'tool:record_sale#0');
  expect(intent).toBeDefined();
  expect(journal.some((e) => e.kind === 'step-end' && e.key === 'tool:record_sale#0')).toBe(false);

  const resumed = await runChild({ mode: 'resume', model: 'shop', baseURL: server.baseURL, ...s.store, ...pick(s) });
  expect(resultOf(resumed)).toMatchObject({
    status: 'completed',
    output: 'Recorded 5 sales (apple, pear, plum, fig, kiwi) totalling 2000 cents.',
  });
  const sales = readSales(s.salesFile);
  expect(sales.map((x) => x.item).sort()).toEqual(['apple', 'fig', 'kiwi', 'pear', 'plum']);
  expect(server.requests.length - from).toBeLessThanOrEqual(7);
  expectIntactJournal(await readJournal(s.open, s.runId));
}

const SERVER_KINDS = [STORE_KINDS.postgres, STORE_KINDS.redis];

beforeAll(async () => {
  server = await createOpenAITestServer({
    respond: (body) => (body.model === 'refunds' ? refundReply(body) : shopReply(body)),
    delayMs: 40,
    chunkDelayMs: 3,
  });
  await Promise.all(SERVER_KINDS.map((kind) => kind.setup(temp.path)));
}, 60_000);
afterEach(killRunningChildren);
afterAll(async () => {
  await server.close();
  await Promise.all(SERVER_KINDS.map((kind) => kind.teardown()));
  temp.remove();
});

describe('agent runs across process crashes (SQLite, real openai client over HTTP)', () => {
  it(`gives the uninterrupted outcome after SIGKILL at ${KILLS} random points and a resume in a new process`, {
    timeout: 180_000,
  }, async () => {
    await baseline();
    for (let k = 0; k < KILLS; k++) {
      // A random point by progress, not by time: a time taken from the baseline's duration let a
      // faster run (the load on the machine changes) finish before its kill. Either while the n-th
      // model request is in flight (n of 1-5; the 6th is the last) or right after the m-th sale (m of 1-4).
      const byRequests = Math.random() < 0.5;
      await killAndResume(scenario(`kill-${k}`), { byRequests, n: 1 + Math.floor(Math.random() * (byRequests ? 5 : 4)) });
    }
  });

  it('does not repeat a side effect killed after it happened but before it was journaled', { timeout: 90_000 }, async () => {
    await killInTool(scenario('kill-in-tool'));
  });

  it('pauses for approval, survives the process exiting, and completes when another process approves', {
    timeout: 90_000,
  }, async () => {
    const s = scenario('approval');
    const first = await runChild({
      mode: 'start',
      model: 'refunds',
      baseURL: server.baseURL,
      input: 'Refund order A1.',
      ...s.store,
      ...pick(s),
    });
    expect(first.code).toBe(0);
    const paused = resultOf(first);
    expect(paused).toMatchObject({ status: 'paused', pauseReason: 'approval' });
    expect(paused.pendingApprovals).toEqual([
      expect.objectContaining({
        approvalId: 'call_refund_1',
        details: { kind: 'tool-call', tool: 'refund', callId: 'call_refund_1', arguments: { orderId: 'A1', cents: 2500 } },
      }),
    ]);
    expect(readSales(s.salesFile)).toEqual([]);

    const decidedAfter = Date.now();
    const second = await runChild({
      mode: 'approve',
      model: 'refunds',
      baseURL: server.baseURL,
      approvalId: 'call_refund_1',
      by: 'ada@example.com',
      reason: 'damaged in transit',
      ...s.store,
      ...pick(s),
    });
    expect(second.code).toBe(0);
    expect(resultOf(second)).toMatchObject({
      status: 'completed',
      output: 'Refund outcome: {"refunded":"A1","cents":2500}',
    });
    expect(readSales(s.salesFile).map((x) => x.item)).toEqual(['refund:A1']);
    const journal = await readJournal(s.open, s.runId);
    const decision = journal.find((e) => e.kind === 'approval-decide');
    expect(decision?.key).toBe('call_refund_1');
    const audit = JSON.parse(decision!.payload);
    expect(audit).toMatchObject({ approved: true, by: 'ada@example.com', reason: 'damaged in transit' });
    expect(audit.at).toBeGreaterThanOrEqual(decidedAfter);
    expect(audit.at).toBeLessThanOrEqual(second.endedAt);
    expectIntactJournal(journal);
    await s.expectNoSecrets();
  });
});

for (const kind of SERVER_KINDS) {
  describe(`agent runs across process crashes (${kind.kind} through openStore, real openai client over HTTP)`, () => {
    it('resumes after a SIGKILL while a model request is in flight: no completed model call paid twice', {
      timeout: 90_000,
    }, async () => {
      await killAndResume(specScenario(kind.location('in_flight'), `${kind.kind}-in-flight`), { byRequests: true, n: 3 });
    });

    it('resumes after a SIGKILL between a sale and its journal entry: the sale is not made again', {
      timeout: 90_000,
    }, async () => {
      await killInTool(specScenario(kind.location('in_tool'), `${kind.kind}-in-tool`));
    });
  });
}
