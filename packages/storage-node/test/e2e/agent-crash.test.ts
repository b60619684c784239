// End to end: the shop agent in child processes over one SQLite file, the real `openai` client over
// HTTP to a local server. A child is SIGKILLed at random points and the run resumed in a new process;
// the outcome must be the uninterrupted run's, with at most one repeated (in-flight) model request and
// every side effect exactly once. Then an approval decided by another process after a restart.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectIntactJournal, readJournal } from '@cairn/test-rigs/agent-journal';
import { type ChildOutcome, killRunningChildren, resultOf, runKillableChild } from '@cairn/test-rigs/kill-child';
import { createOpenAITestServer, type OpenAITestServer } from '@cairn/test-rigs/openai-test-server';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/index.ts';
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

function expectNoSecrets(db: string): void {
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

function scenario(name: string) {
  const dir = join(temp.path, name);
  return { db: `${dir}.db`, salesFile: `${dir}.sales`, runId: `run_${name}` };
}

beforeAll(async () => {
  server = await createOpenAITestServer({
    respond: (body) => (body.model === 'refunds' ? refundReply(body) : shopReply(body)),
    delayMs: 40,
    chunkDelayMs: 3,
  });
});
afterEach(killRunningChildren);
afterAll(async () => {
  await server.close();
  temp.remove();
});

describe('agent runs across process crashes (SQLite, real openai client over HTTP)', () => {
  it(`gives the uninterrupted outcome after SIGKILL at ${KILLS} random points and a resume in a new process`, {
    timeout: 180_000,
  }, async () => {
    const base = scenario('baseline');
    const before = server.requests.length;
    const baseline = await runChild({ mode: 'start', model: 'shop', baseURL: server.baseURL, input: 'Record the day.', ...base });
    const baselineResult = resultOf(baseline);
    const baselineBodies = server.requests.slice(before).map((r) => r.rawBody);
    const duration = baseline.endedAt - baseline.startedAt!;
    expect(baselineResult).toMatchObject({
      status: 'completed',
      output: 'Recorded 5 sales (apple, pear, plum, fig, kiwi) totalling 2000 cents.',
    });
    expect(baselineBodies).toHaveLength(6);
    expect(readSales(base.salesFile).map((s) => s.item)).toEqual(['apple', 'pear', 'plum', 'fig', 'kiwi']);
    expectIntactJournal(await readJournal(() => createSqliteStore({ path: base.db }), base.runId));
    // Every request carried the key and the gateway header; neither reached the store.
    expect(server.requests.slice(before).every((r) => r.headers.authorization === `Bearer ${API_KEY}`)).toBe(true);
    expect(server.requests.slice(before).every((r) => r.headers['x-gateway-secret'] === GATEWAY_SECRET)).toBe(true);
    expectNoSecrets(base.db);

    for (let k = 0; k < KILLS; k++) {
      const s = scenario(`kill-${k}`);
      const from = server.requests.length;
      // A random point by progress, not by time: a time taken from the baseline's duration let a
      // faster run (the load on the machine changes) finish before its kill. Either while the n-th
      // model request is in flight (n of 1-5; the 6th is the last) or right after the m-th sale (m of 1-4).
      const byRequests = Math.random() < 0.5;
      const n = 1 + Math.floor(Math.random() * (byRequests ? 5 : 4));
      const point = byRequests ? `model request ${n} in flight` : `sale ${n} recorded`;
      const killed = await runChild(
        { mode: 'start', model: 'shop', baseURL: server.baseURL, input: 'Record the day.', ...s },
        { when: () => (byRequests ? server.requests.length - from >= n : readSales(s.salesFile).length >= n) },
      );
      expect(killed.signal, `kill ${k} at ${point}`).toBe('SIGKILL');
      const landed = `kill ${k} at ${point} (baseline ${duration} ms): ${server.requests.length - from} model requests, ${readSales(s.salesFile).length} sales`;
      const resumed = await runChild({ mode: 'resume', model: 'shop', baseURL: server.baseURL, ...s });
      expect(resultOf(resumed), `kill ${k} at ${point}`).toMatchObject({
        status: 'completed',
        output: baselineResult.output,
      });
      const bodies = server.requests.slice(from).map((r) => r.rawBody);
      expect(new Set(bodies)).toEqual(new Set(baselineBodies));
      expect(bodies.length).toBeLessThanOrEqual(baselineBodies.length + 1);
      const sales = readSales(s.salesFile);
      expect(sales.map((x) => x.item).sort()).toEqual(['apple', 'fig', 'kiwi', 'pear', 'plum']);
      expect(new Set(sales.map((x) => x.key)).size).toBe(5);
      expectIntactJournal(await readJournal(() => createSqliteStore({ path: s.db }), s.runId));
      expectNoSecrets(s.db);
      console.log(`${landed}; after resume ${bodies.length} requests`);
    }
  });

  it('does not repeat a side effect killed after it happened but before it was journaled', { timeout: 90_000 }, async () => {
    const s = scenario('kill-in-tool');
    const from = server.requests.length;
    const killed = await runChild(
      { mode: 'start', model: 'shop', baseURL: server.baseURL, input: 'Record the day.', ...s },
      { when: () => readSales(s.salesFile).length >= 1 },
    );
    expect(killed.signal).toBe('SIGKILL');
    const journal = await readJournal(() => createSqliteStore({ path: s.db }), s.runId);
    const intent = journal.find((e) => e.kind === 'step-start' && e.key === 'tool:record_sale#0');
    expect(intent).toBeDefined();
    expect(journal.some((e) => e.kind === 'step-end' && e.key === 'tool:record_sale#0')).toBe(false);

    const resumed = await runChild({ mode: 'resume', model: 'shop', baseURL: server.baseURL, ...s });
    expect(resultOf(resumed)).toMatchObject({
      status: 'completed',
      output: 'Recorded 5 sales (apple, pear, plum, fig, kiwi) totalling 2000 cents.',
    });
    const sales = readSales(s.salesFile);
    expect(sales.map((x) => x.item).sort()).toEqual(['apple', 'fig', 'kiwi', 'pear', 'plum']);
    expect(server.requests.length - from).toBeLessThanOrEqual(7);
    expectIntactJournal(await readJournal(() => createSqliteStore({ path: s.db }), s.runId));
  });

  it('pauses for approval, survives the process exiting, and completes when another process approves', {
    timeout: 90_000,
  }, async () => {
    const s = scenario('approval');
    const first = await runChild({ mode: 'start', model: 'refunds', baseURL: server.baseURL, input: 'Refund order A1.', ...s });
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
      ...s,
    });
    expect(second.code).toBe(0);
    expect(resultOf(second)).toMatchObject({
      status: 'completed',
      output: 'Refund outcome: {"refunded":"A1","cents":2500}',
    });
    expect(readSales(s.salesFile).map((x) => x.item)).toEqual(['refund:A1']);
    const journal = await readJournal(() => createSqliteStore({ path: s.db }), s.runId);
    const decision = journal.find((e) => e.kind === 'approval-decide');
    expect(decision?.key).toBe('call_refund_1');
    const audit = JSON.parse(decision!.payload);
    expect(audit).toMatchObject({ approved: true, by: 'ada@example.com', reason: 'damaged in transit' });
    expect(audit.at).toBeGreaterThanOrEqual(decidedAfter);
    expect(audit.at).toBeLessThanOrEqual(second.endedAt);
    expectIntactJournal(journal);
    expectNoSecrets(s.db);
  });
});
