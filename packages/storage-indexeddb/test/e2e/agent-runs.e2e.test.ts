/**
 * A durable agent run in real Chromium tabs (test/pages/agent-page.ts): an agent with a slow
 * scripted model and a tool with a real side effect (an HTTP endpoint on 127.0.0.1 that records
 * every call by idempotency key, test/tool-endpoint.ts).
 *
 * - Reloaded at random moments (seeded, the seed is logged), the tab resumes the run on load and
 *   finishes it with the same output as a run never interrupted; the endpoint sees each tool call
 *   exactly once, none twice and none lost; the timeline the page shows is the journal.
 * - With three tabs open on one run, exactly one drives it (the endpoint never sees two of its
 *   calls at once); when the driving tab closes mid-call, a standby tab takes the run over and
 *   finishes it, and a third tab follows the whole run through the tab channel.
 */
import type { HistoryItem } from '@cairn/core';
import { launchChromium, openTab, type ServedPage, servePage } from '@cairn/test-rigs/chromium';
import { seededRandom, seedFromEnvironment } from '@cairn/test-rigs/seeded-random';
import { sleep, until, within } from '@cairn/test-rigs/waits';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertDense, expectedTimeline, type RecordedToolCall, recordedToolCalls } from '../agent-journal.ts';
import type { ModelCall } from '../pages/agent-page.ts';
import { CITIES } from '../pages/trip-agent.ts';
import { startToolEndpoint, type ToolEndpoint } from '../tool-endpoint.ts';

/** A model call and a tool call take about this long: a clean run is ≈ 7 × 250 + 6 × 300 ms. */
const MODEL_MS = 250;
const TOOL_MS = 300;
const INPUT = 'Plan a week of travel, weather first.';
/** Model calls in a run: one per city, then the final answer. */
const TURNS = CITIES.length + 1;
/** Entries of a finished run: run-start, one per model call, intent and end per tool call, run-end. */
const JOURNAL_LENGTH = 1 + TURNS + 2 * CITIES.length + 1;

let browser: Browser;
let site: ServedPage;
let endpoint: ToolEndpoint;
let contexts: BrowserContext[] = [];
let errors: string[] = [];
/** The run without interruptions, in its own database: what every interrupted run must match. */
let baseline: { output: string; toolCalls: RecordedToolCall[] };

function agentUrl(options: { db: string; tab: string; follow?: boolean }): string {
  const query = new URLSearchParams({
    db: options.db,
    tab: options.tab,
    endpoint: endpoint.url,
    modelDelayMs: String(MODEL_MS),
    ...(options.follow ? { follow: '1' } : {}),
  });
  return `${site.url}?${query}`;
}

/** A fresh browser context: a profile of its own (empty IndexedDB, localStorage, locks). */
async function freshContext(): Promise<BrowserContext> {
  const context = await browser.newContext();
  contexts.push(context);
  return context;
}

async function openAgentTab(context: BrowserContext, options: { db: string; tab: string; follow?: boolean }): Promise<Page> {
  const page = await openTab(context, agentUrl(options), 'agent', { errors });
  await within(
    page.evaluate(() => window.agent.loaded),
    15_000,
    `tab ${options.tab}: load-time resumeAll`,
  );
  return page;
}

/** Wait until this tab drives `runId` (holds its lease) and the journal has `atSeq` entries. */
async function waitUntilDriving(page: Page, runId: string, atSeq: number): Promise<void> {
  await until(
    () =>
      page.evaluate(
        async ({ id, seq }) => {
          const info = await window.agent.get(id);
          return info.lease?.owner === window.agent.owner && info.lastSeq >= seq;
        },
        { id: runId, seq: atSeq },
      ),
    { what: `the tab driving the run with ${atSeq} entries`, timeoutMs: 20_000 },
  );
}

function history(page: Page, runId: string): Promise<HistoryItem[]> {
  return within(
    page.evaluate((id) => window.agent.history(id), runId),
    10_000,
    'history',
  );
}

function result(page: Page, runId: string, what: string): Promise<string> {
  return within(
    page.evaluate((id) => window.agent.result(id), runId),
    30_000,
    what,
  );
}

/** The endpoint saw exactly the calls the journal recorded, once each. */
function expectEachCallOnce(runId: string, toolCalls: readonly RecordedToolCall[]): void {
  expect(toolCalls.map((call) => call.stepId)).toEqual(CITIES.map((_, index) => `tool:forecast#${index}`));
  expect(endpoint.countsByKey(runId)).toEqual(Object.fromEntries(toolCalls.map((call) => [call.idempotencyKey, 1])));
  // What the journal recorded is what the endpoint answered, and what the clean run got.
  for (const call of toolCalls) {
    expect(call.result).toEqual(endpoint.calls.find((seen) => seen.key === call.idempotencyKey)?.result);
  }
  expect(toolCalls.map((call) => call.result)).toEqual(baseline.toolCalls.map((call) => call.result));
}

/** Every turn's model call was made, and none was started again after its reply was journaled. */
function expectNoJournaledModelCallRepeated(journal: readonly HistoryItem[], calls: readonly ModelCall[]): void {
  const ends = journal.filter((item) => item.kind === 'step-end' && item.key.startsWith('model#'));
  expect(ends.map((item) => item.key)).toEqual(Array.from({ length: TURNS }, (_, turn) => `model#${turn}`));
  for (const [turn, end] of ends.entries()) {
    const ofTurn = calls.filter((call) => call.turn === turn);
    expect(ofTurn.length, `model calls of turn ${turn}`).toBeGreaterThanOrEqual(1);
    expect(
      ofTurn.filter((call) => call.at > end.at),
      `turn ${turn}: calls started after its reply was journaled`,
    ).toEqual([]);
  }
}

beforeAll(async () => {
  [browser, site, endpoint] = await Promise.all([
    launchChromium(),
    servePage(new URL('../pages/agent-page.ts', import.meta.url), { bundle: true }),
    startToolEndpoint({ delayMs: TOOL_MS }),
  ]);
  const started = Date.now();
  const context = await freshContext();
  const page = await openAgentTab(context, { db: 'trip-baseline', tab: 'baseline' });
  const runId = await page.evaluate((input) => window.agent.start(input), INPUT);
  const output = await result(page, runId, 'the baseline run');
  const journal = await history(page, runId);
  assertDense(journal);
  const toolCalls = recordedToolCalls(runId, journal);
  expect(toolCalls).toHaveLength(CITIES.length);
  expect(endpoint.countsByKey(runId)).toEqual(Object.fromEntries(toolCalls.map((call) => [call.idempotencyKey, 1])));
  expect(await page.evaluate((id) => window.agent.timeline(id), runId)).toEqual(expectedTimeline(journal));
  const { modelCalls } = await page.evaluate(() => window.agent.counts());
  expectNoJournaledModelCallRepeated(journal, modelCalls);
  expect(modelCalls).toHaveLength(TURNS);
  baseline = { output, toolCalls };
  console.info(`baseline run without interruptions: ${Date.now() - started} ms, output ${JSON.stringify(output.slice(0, 60))}…`);
  await context.close();
  contexts = [];
  expect(errors).toEqual([]);
});

afterEach(async () => {
  await Promise.all(contexts.map((context) => context.close()));
  contexts = [];
  const seen = errors;
  errors = [];
  expect(seen).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await endpoint?.close();
});

describe('an agent run in a tab that reloads', () => {
  it('finishes with the output of an uninterrupted run, each tool call made once, the timeline equal to the journal', async () => {
    const seed = seedFromEnvironment();
    const random = seededRandom(seed);
    console.info(`reload moments: seed ${seed} (CAIRN_E2E_SEED=${seed} replays them)`);
    const context = await freshContext();
    const page = await openAgentTab(context, { db: 'trip-reloads', tab: 'solo', follow: true });
    const runId = await page.evaluate((input) => window.agent.start(input), INPUT);
    // Reload when the journal reaches random lengths spread over the run, each after a random
    // delay. One of them is while a tool call is surely in flight: the endpoint holds its answer
    // until the new page is up. The last moment leaves three steps to go, so all land mid-run.
    const midCallAt = random.between(2, JOURNAL_LENGTH - 6);
    const moments = new Set([midCallAt]);
    while (moments.size < 4) moments.add(random.between(2, JOURNAL_LENGTH - 5));
    const log: string[] = [];
    for (const atSeq of [...moments].sort((a, b) => a - b)) {
      await waitUntilDriving(page, runId, atSeq);
      let release: (() => void) | undefined;
      let moment: string;
      if (atSeq === midCallAt) {
        release = endpoint.hold();
        const call = await endpoint.callInFlight(runId, 10_000);
        const delay = random.between(0, TOOL_MS / 2);
        await sleep(delay);
        moment = `journal at ${atSeq}+, ${delay} ms into the call with key ${call.key}`;
      } else {
        const delay = random.between(0, 200);
        await sleep(delay);
        moment = `journal at ${atSeq}+, then ${delay} ms`;
      }
      const before = await page.evaluate((id) => window.agent.get(id), runId);
      expect(before.status, `reload at ${moment}, seed ${seed}: the run must still be going`).toBe('running');
      log.push(`${moment} (reloaded at lastSeq ${before.lastSeq})`);
      await page.reload({ waitUntil: 'commit', timeout: 15_000 });
      await page.waitForFunction(() => 'agent' in window, undefined, { timeout: 15_000 });
      release?.();
    }
    console.info(`reloads (seed ${seed}):\n  ${log.join('\n  ')}`);
    const output = await result(page, runId, `the reloaded run (seed ${seed})`);
    expect(output, `seed ${seed}`).toBe(baseline.output);

    const journal = await history(page, runId);
    assertDense(journal);
    const toolCalls = recordedToolCalls(runId, journal);
    expectEachCallOnce(runId, toolCalls);
    // The call in flight at the mid-call reload was looked up and found, not made again.
    const reconciled = toolCalls.filter((call) => call.attempts === 0).map((call) => call.idempotencyKey);
    expect(reconciled.length, `seed ${seed}: a call was recorded by reconcile`).toBeGreaterThanOrEqual(1);
    for (const key of reconciled) expect(endpoint.lookups.some((lookup) => lookup.key === key && lookup.found)).toBe(true);

    // What the page shows after the last reload: rebuilt from the resume's replay and live events.
    expect(await page.evaluate(() => window.agent.resumed())).toEqual([runId]);
    expect(await page.evaluate((id) => window.agent.timeline(id), runId)).toEqual(expectedTimeline(journal));
    const counts = await page.evaluate(() => window.agent.counts());
    expect(counts.resumes.solo, 'each reload during the run resumed it').toBe(moments.size);
    // A model call whose reply was journaled is never made again: only a call a reload cut off is.
    expectNoJournaledModelCallRepeated(journal, counts.modelCalls);
    expect(counts.modelCalls.length).toBeLessThanOrEqual(TURNS + moments.size);
    console.info(
      `reloaded run: ${counts.resumes.solo} resumes, ${counts.modelCalls.length} model calls for ${TURNS} turns, ` +
        `${reconciled.length} tool call(s) reconciled, ${toolCalls.length} tool calls made once each`,
    );
  });
});

describe('an agent run with three tabs open', () => {
  it('is driven by one tab at a time; a standby tab finishes it when the driver closes mid-call', async () => {
    const context = await freshContext();
    const db = 'trip-tabs';
    const driver = await openAgentTab(context, { db, tab: 'A' });
    const standby = await openAgentTab(context, { db, tab: 'B' });
    const watcher = await openAgentTab(context, { db, tab: 'C' });
    const owners = {
      A: await driver.evaluate(() => window.agent.owner),
      B: await standby.evaluate(() => window.agent.owner),
    };
    const runId = await driver.evaluate((input) => window.agent.start(input), INPUT);
    await standby.evaluate((id) => window.agent.standby(id), runId);

    // While A drives, no other tab takes the run, not even by asking for it.
    await endpoint.callInFlight(runId, 10_000);
    expect(await standby.evaluate(() => window.agent.resumeAll())).toEqual([]);
    expect(await watcher.evaluate(() => window.agent.resumeAll())).toEqual([]);
    // The other tabs follow A's progress through the tab channel.
    await standby.waitForFunction((id) => window.agent.timeline(id).length >= 3, runId, { timeout: 10_000, polling: 50 });
    await watcher.waitForFunction((id) => window.agent.timeline(id).length >= 3, runId, { timeout: 10_000, polling: 50 });

    // Close A while one of its tool calls is in flight: the endpoint answers it only once B is in.
    const release = endpoint.hold();
    const cut = await endpoint.callInFlight(runId, 10_000);
    expect(cut.tab).toBe('A');
    const closedAt = Date.now();
    await driver.close();
    await standby.waitForFunction((id) => window.agent.resumed().includes(id), runId, { timeout: 15_000, polling: 50 });
    release();
    const output = await result(standby, runId, 'the run taken over by B');
    expect(output).toBe(baseline.output);

    const journal = await history(standby, runId);
    assertDense(journal);
    const toolCalls = recordedToolCalls(runId, journal);
    expectEachCallOnce(runId, toolCalls);
    expect(endpoint.maxInFlight(runId), 'calls of the run in flight at once').toBe(1);
    const calls = endpoint.calls.filter((call) => call.runId === runId);
    const byA = calls.filter((call) => call.tab === 'A');
    const byB = calls.filter((call) => call.tab === 'B');
    expect(byA.length + byB.length).toBe(calls.length);
    expect(new Set(byA.map((call) => call.owner))).toEqual(new Set([owners.A]));
    expect(new Set(byB.map((call) => call.owner))).toEqual(new Set([owners.B]));
    expect(byA.map((call) => call.key)).toContain(cut.key);
    expect(byA.every((call) => call.startedAt <= closedAt)).toBe(true);
    expect(byB.length).toBeGreaterThanOrEqual(1);
    expect(byB.every((call) => call.startedAt >= closedAt)).toBe(true);
    // The call cut off with A was looked up by B and found, not made again.
    expect(toolCalls.find((call) => call.idempotencyKey === cut.key)?.attempts).toBe(0);
    expect(endpoint.lookups.some((lookup) => lookup.key === cut.key && lookup.found)).toBe(true);

    // B took over, C only watched; both show exactly the journal.
    expect(await standby.evaluate(() => window.agent.resumed())).toEqual([runId]);
    expect(await watcher.evaluate(() => window.agent.resumed())).toEqual([]);
    const timeline = expectedTimeline(journal);
    expect(await standby.evaluate((id) => window.agent.timeline(id), runId)).toEqual(timeline);
    await watcher.waitForFunction((id) => window.agent.timeline(id).at(-1)?.kind === 'run-end', runId, {
      timeout: 10_000,
      polling: 50,
    });
    expect(await watcher.evaluate((id) => window.agent.timeline(id), runId)).toEqual(timeline);
    // Closing A cut off a tool call, not a model call: every model call was made once, A's or B's.
    const { modelCalls } = await standby.evaluate(() => window.agent.counts());
    expectNoJournaledModelCallRepeated(journal, modelCalls);
    expect(modelCalls).toHaveLength(TURNS);
    expect(new Set(modelCalls.map((call) => call.tab))).toEqual(new Set(['A', 'B']));
    console.info(
      `three tabs: A made ${byA.length} calls, B ${byB.length} after A closed, C none; max in flight ${endpoint.maxInFlight(runId)}`,
    );
  });
});
