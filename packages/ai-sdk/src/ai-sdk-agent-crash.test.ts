// End to end: the travel agent in child processes over one SQLite file, through the real
// `@ai-sdk/anthropic` and `@ai-sdk/openai` providers streaming over HTTP from local servers that
// speak each provider's wire format. A child is SIGKILLed at random points and the run resumed in a
// new process: the uninterrupted run's output, at most the in-flight model request repeated, each
// booking (a `once` tool) exactly once. Then an approval decided by another process.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSqliteStore } from '@cairn/storage-node';
import { expectIntactJournal, readJournal } from '@cairn/test-rigs/agent-journal';
import { killRunningChildren, resultOf, runKillableChild } from '@cairn/test-rigs/kill-child';
import { createOpenAITestServer, type OpenAITestServer } from '@cairn/test-rigs/openai-test-server';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AnthropicTestServer, createAnthropicTestServer } from '../test/test-support/anthropic-test-server.ts';
import { anthropicReply, openaiReply, type Provider, readBookings, TRAVEL_OUTPUT } from '../test/test-support/travel-agent.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../test/test-support/fixtures/${name}`, import.meta.url));
const runChild = (script: string, args: object, killWhen?: () => boolean) =>
  runKillableChild(script, args, killWhen ? { killWhen } : {});
const CHILD = fixture('travel-child.ts');
const KILLS = 3;
const temp = makeTempDir('ai-sdk-e2e');

let anthropic: AnthropicTestServer;
let openai: OpenAITestServer;

beforeAll(async () => {
  anthropic = await createAnthropicTestServer({ respond: anthropicReply, delayMs: 30, chunkDelayMs: 3 });
  openai = await createOpenAITestServer({ respond: openaiReply, delayMs: 30, chunkDelayMs: 3 });
});
afterEach(killRunningChildren);
afterAll(async () => {
  await anthropic.close();
  await openai.close();
  temp.remove();
});

/** How many times each request body reached the server. */
function repeats(bodies: string[]): number[] {
  const counts = new Map<string, number>();
  for (const b of bodies) counts.set(b, (counts.get(b) ?? 0) + 1);
  return [...counts.values()];
}

describe.each<Provider>(['anthropic', 'openai'])('agent runs through @ai-sdk/%s across process crashes', (provider) => {
  const server = () => (provider === 'anthropic' ? anthropic : openai);
  const bodiesFrom = (from: number) =>
    server()
      .requests.slice(from)
      .map((r) => r.rawBody);
  const scenario = (name: string) => {
    const dir = join(temp.path, `${provider}-${name}`);
    return { provider, db: `${dir}.db`, bookingsFile: `${dir}.bookings`, runId: `run_${provider}_${name}` };
  };

  it(`gives the uninterrupted outcome after SIGKILL at ${KILLS} random points and a resume in a new process`, {
    timeout: 180_000,
  }, async () => {
    const base = scenario('baseline');
    const before = server().requests.length;
    const baseline = await runChild(CHILD, {
      mode: 'start',
      model: 'travel',
      baseURL: server().baseURL,
      input: 'Book my trip.',
      ...base,
    });
    expect(resultOf(baseline)).toMatchObject({ status: 'completed', output: TRAVEL_OUTPUT });
    const baselineBodies = bodiesFrom(before);
    expect(baselineBodies).toHaveLength(4);
    // Streamed, with the tools' JSON Schema and the provider's own key header.
    const first = server().requests[before]!;
    expect(first.body.stream).toBe(true);
    const tools = first.body.tools.map((t: { name?: string; function?: { name: string } }) => t.name ?? t.function?.name);
    expect(tools).toEqual(['find_flight', 'book_flight', 'cancel_booking']);
    expect(readBookings(base.bookingsFile).map((b) => b.flight)).toEqual(['PAR-101', 'ROM-101', 'OSL-101']);
    expectIntactJournal(await readJournal(() => createSqliteStore({ path: base.db }), base.runId));

    for (let k = 0; k < KILLS; k++) {
      const s = scenario(`kill-${k}`);
      const from = server().requests.length;
      // While the n-th model request is in flight (n of 1-3; the 4th is the last), or right after the m-th booking.
      const byRequests = Math.random() < 0.5;
      const n = 1 + Math.floor(Math.random() * (byRequests ? 3 : 2));
      const point = byRequests ? `model request ${n} in flight` : `booking ${n} written`;
      const killed = await runChild(
        CHILD,
        { mode: 'start', model: 'travel', baseURL: server().baseURL, input: 'Book my trip.', ...s },
        () => (byRequests ? server().requests.length - from >= n : readBookings(s.bookingsFile).length >= n),
      );
      expect(killed.signal, `kill ${k} at ${point}`).toBe('SIGKILL');
      const resumed = await runChild(CHILD, { mode: 'resume', model: 'travel', baseURL: server().baseURL, ...s });
      expect(resultOf(resumed), `kill ${k} at ${point}`).toMatchObject({ status: 'completed', output: TRAVEL_OUTPUT });
      const bodies = bodiesFrom(from);
      expect(new Set(bodies)).toEqual(new Set(baselineBodies));
      // Each model call journaled before the kill was not made again; only the one in flight may be.
      expect(repeats(bodies).filter((c) => c > 1).length, point).toBeLessThanOrEqual(1);
      expect(Math.max(...repeats(bodies)), point).toBeLessThanOrEqual(2);
      const bookings = readBookings(s.bookingsFile);
      expect(bookings.map((b) => b.flight).sort(), point).toEqual(['OSL-101', 'PAR-101', 'ROM-101']);
      expectIntactJournal(await readJournal(() => createSqliteStore({ path: s.db }), s.runId));
    }
  });

  it('does not repeat a booking killed after it happened but before it was journaled', { timeout: 90_000 }, async () => {
    const s = scenario('kill-in-tool');
    const from = server().requests.length;
    const killed = await runChild(
      CHILD,
      { mode: 'start', model: 'travel', baseURL: server().baseURL, input: 'Book my trip.', ...s },
      () => readBookings(s.bookingsFile).length >= 1,
    );
    expect(killed.signal).toBe('SIGKILL');
    const journal = await readJournal(() => createSqliteStore({ path: s.db }), s.runId);
    expect(journal.some((e) => e.kind === 'step-start' && e.key === 'tool:book_flight#0')).toBe(true);
    expect(journal.some((e) => e.kind === 'step-end' && e.key === 'tool:book_flight#0')).toBe(false);

    const resumed = await runChild(CHILD, { mode: 'resume', model: 'travel', baseURL: server().baseURL, ...s });
    expect(resultOf(resumed)).toMatchObject({ status: 'completed', output: TRAVEL_OUTPUT });
    expect(readBookings(s.bookingsFile).map((b) => b.flight)).toEqual(['PAR-101', 'ROM-101', 'OSL-101']);
    expect(Math.max(...repeats(bodiesFrom(from)))).toBe(1);
    expectIntactJournal(await readJournal(() => createSqliteStore({ path: s.db }), s.runId));
  });

  it('pauses for approval, survives the process exiting, and completes when another process approves', {
    timeout: 90_000,
  }, async () => {
    const s = scenario('approval');
    const callId = provider === 'anthropic' ? 'toolu_cancel_1' : 'call_cancel_1';
    const first = await runChild(CHILD, { mode: 'start', model: 'cancel', baseURL: server().baseURL, input: 'Cancel B1.', ...s });
    expect(resultOf(first)).toMatchObject({ status: 'paused', pauseReason: 'approval' });
    expect(resultOf(first).pendingApprovals).toEqual([
      expect.objectContaining({
        approvalId: callId,
        details: { kind: 'tool-call', tool: 'cancel_booking', callId, arguments: { bookingId: 'B1' } },
      }),
    ]);
    expect(readBookings(s.bookingsFile)).toEqual([]);
    const second = await runChild(CHILD, {
      mode: 'approve',
      model: 'cancel',
      baseURL: server().baseURL,
      approvalId: callId,
      ...s,
    });
    expect(resultOf(second)).toMatchObject({ status: 'completed', output: 'Cancel outcome: {"cancelled":"B1"}' });
    expect(readBookings(s.bookingsFile).map((b) => b.flight)).toEqual(['cancel:B1']);
    expectIntactJournal(await readJournal(() => createSqliteStore({ path: s.db }), s.runId));
  });
});
