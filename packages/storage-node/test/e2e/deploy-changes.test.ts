/**
 * Deploying new code while runs are in flight (issue 13), through a real SQLite file: a run is
 * started and paused under v1, the store is closed, and v2 is checked with `checkReplay` (a counting
 * model server and a side-effect ledger show that nothing runs), then resumed for real. Every code
 * change is detected with the right journal record or error; the patched path keeps old runs on the
 * old code and new runs on the new one.
 */
import { join } from 'node:path';
import {
  type CheckReplayReport,
  checkReplay,
  createRuntime,
  type DurableStore,
  type HistoryItem,
  type RunInfo,
  type Runtime,
  type Workflow,
} from '@cairn/core';
import { createOpenAITestServer, type OpenAITestServer } from '@cairn/test-rigs/openai-test-server';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/sqlite/sqlite-store.ts';
import { type AgentVariant, order, shipping, shopAgent, shopReply } from '../test-support/fixtures/deploy-workflows.ts';

const dir = makeTempDir('deploy');
let files = 0;
const open: Array<{ runtime?: Runtime; store: DurableStore }> = [];

afterEach(async () => {
  for (const { runtime, store } of open.splice(0)) {
    await runtime?.close();
    await store.close();
  }
});
afterAll(() => dir.remove());

/** A SQLite file and a way to open it again (a new process would). */
function sqliteFile(): { path: string; openStore(): DurableStore } {
  const path = join(dir.path, `deploy-${files++}.db`);
  return {
    path,
    openStore() {
      const store = createSqliteStore({ path });
      open.push({ store });
      return store;
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: workflows of any input and output types
function runtimeOver(store: DurableStore, workflows: Workflow<any, any>[]): Runtime {
  const runtime = createRuntime({ store, workflows, leaseMs: 2_000, owner: `deploy-${files}-${open.length}` });
  open.push({ runtime, store });
  return runtime;
}

/** Close every runtime and store opened so far (the "deploy": v1 stops, v2 starts). */
async function stopAll(): Promise<void> {
  for (const { runtime, store } of open.splice(0)) {
    await runtime?.close();
    await store.close().catch(() => undefined);
  }
}

async function settledRun(runtime: Runtime, runId: string): Promise<RunInfo> {
  return runtime.handle(runId).settled();
}

// ---------------------------------------------------------------------------------------------
// Workflows: v1 charges once, then waits for a signal; each v2 changes the code.

/** v1 run paused on its signal wait in a fresh SQLite file; everything closed afterwards. */
async function pausedOrder(ledger: string[]): Promise<{ file: ReturnType<typeof sqliteFile>; runId: string }> {
  const file = sqliteFile();
  const runtime = runtimeOver(file.openStore(), [order('v1', ledger)]);
  const handle = await runtime.start('order', { id: 'o-1' });
  const info = await handle.settled();
  expect(info.status).toBe('paused');
  await stopAll();
  expect(ledger).toEqual(['a', 'charge']);
  return { file, runId: handle.runId };
}

function runOf(report: CheckReplayReport, runId: string) {
  const run = report.runs.find((r) => r.runId === runId);
  expect(run, `run ${runId} in the report`).toBeDefined();
  return run!;
}

function kinds(history: HistoryItem[]): string[] {
  return history.map((item) => `${item.kind}:${item.key}`);
}

describe('workflow code changes while a run is paused (SQLite)', () => {
  it('a removed trailing step is detected: checkReplay reports the unconsumed call, resume stops with NonDeterminismError, the fixed code resumes', async () => {
    const ledger: string[] = [];
    const { file, runId } = await pausedOrder(ledger);

    const store = file.openStore();
    const report = await checkReplay({ workflows: [order('removed', ledger)], store });
    expect(ledger, 'the check executes nothing').toEqual(['a', 'charge']);
    expect(report.ok).toBe(false);
    const run = runOf(report, runId);
    expect(run.compatible).toBe(false);
    expect(run.problem).toMatchObject({ kind: 'unconsumed-calls', recorded: 'charge#0', callIndex: 1, count: 1 });
    const chargeEnd = (await store.readEntries(runId)).find((e) => e.kind === 'step-end' && e.key === 'charge#0')!;
    expect(run.problem).toMatchObject({ seq: expect.any(Number) });
    expect([chargeEnd.seq - 1, chargeEnd.seq]).toContain((run.problem as { seq: number }).seq);

    const v2 = runtimeOver(store, [order('removed', ledger)]);
    await v2.resume(runId);
    const info = await settledRun(v2, runId);
    expect(info.status).toBe('failed');
    expect(info.error?.code).toBe('non-determinism');
    expect(info.error?.message).toContain(`run "${runId}"`);
    expect(info.error?.message).toContain('"charge#0"');
    expect(info.error?.message).toMatch(/seq \d+/);
    const history = await v2.history(runId);
    expect(kinds(history)).not.toContain('run-end:run');
    expect(ledger, 'nothing ran: the charge is not repeated, no new code ran').toEqual(['a', 'charge']);
    await stopAll();

    // Resumable after a fix: the v1 code goes on from the journal.
    const fixed = runtimeOver(file.openStore(), [order('v1', ledger)]);
    await fixed.resume(runId);
    expect((await settledRun(fixed, runId)).status).toBe('paused');
    await fixed.signal(runId, 'go', 'now');
    expect(await fixed.handle(runId).result()).toBe('shipped o-1');
    expect(ledger).toEqual(['a', 'charge', 'ship']);
  });

  for (const [version, requested] of [
    ['inserted', 'audit#0'],
    ['renamed', 'bill#0'],
  ] as const) {
    it(`a step ${version} before the end is a non-determinism at the recorded call (checkReplay and resume agree)`, async () => {
      const ledger: string[] = [];
      const { file, runId } = await pausedOrder(ledger);
      const store = file.openStore();
      const report = await checkReplay({ workflows: [order(version, ledger)], store });
      expect(ledger).toEqual(['a', 'charge']);
      expect(runOf(report, runId).problem).toMatchObject({
        kind: 'non-determinism',
        callIndex: 1,
        recorded: 'charge#0',
        requested,
      });
      const v2 = runtimeOver(store, [order(version, ledger)]);
      await v2.resume(runId);
      const info = await settledRun(v2, runId);
      expect(info.status).toBe('failed');
      expect(info.error?.code).toBe('non-determinism');
      expect(info.error?.message).toContain(`"charge#0"`);
      expect(info.error?.message).toContain(`"${requested}"`);
      expect(ledger, `the ${version} step never ran`).toEqual(['a', 'charge']);
    });
  }

  it('the unchanged code is compatible, replays to its open wait and runs nothing', async () => {
    const ledger: string[] = [];
    const { file, runId } = await pausedOrder(ledger);
    const report = await checkReplay({ workflows: [order('v1', ledger)], store: file.openStore() });
    expect(report).toMatchObject({ ok: true, checked: 1, compatible: 1, incompatible: 0 });
    // a#0, charge#0, then the signal wait takes call 2 and blocks: nothing recorded is left over.
    expect(runOf(report, runId)).toMatchObject({ compatible: true, stoppedAt: 'waiting', replayedCalls: 3, recordedCalls: 2 });
    expect(ledger).toEqual(['a', 'charge']);
  });
});

// ---------------------------------------------------------------------------------------------
// Patches: v2 adds a receipt step behind ctx.patched('receipt'), v3 retires the patch.

describe('ctx.patched (SQLite)', () => {
  it('an old run keeps the old path, a new run takes the new one, checkReplay passes for both and tells when the patch can be retired', async () => {
    const ledger: string[] = [];
    const file = sqliteFile();
    const v1 = runtimeOver(file.openStore(), [shipping('v1', ledger)]);
    const old = await v1.start('shipping', { id: 'old' });
    expect((await old.settled()).status).toBe('paused');
    await stopAll();

    // Deploy v2: start a new run, leave the old one paused.
    let runtime = runtimeOver(file.openStore(), [shipping('v2', ledger)]);
    const fresh = await runtime.start('shipping', { id: 'new' });
    expect((await fresh.settled()).status).toBe('paused');
    const freshHistory = await runtime.history(fresh.runId);
    const mark = freshHistory.find((item) => item.kind === 'change-mark');
    expect(mark).toMatchObject({ key: 'patch:receipt', index: 1, change: { type: 'patch', patchId: 'receipt', index: 1 } });
    expect(ledger).toEqual(['pack old', 'pack new', 'receipt new']);
    await stopAll();

    let store = file.openStore();
    const before = ledger.length;
    const both = await checkReplay({ workflows: [shipping('v2', ledger)], store });
    expect(ledger.length, 'the check executes nothing').toBe(before);
    expect(both.ok).toBe(true);
    expect(runOf(both, old.runId).patches).toEqual([{ patchId: 'receipt', path: 'old' }]);
    expect(runOf(both, fresh.runId).patches).toEqual([{ patchId: 'receipt', path: 'new' }]);
    expect(both.patches).toEqual([{ patchId: 'receipt', oldPath: [old.runId], newPath: [fresh.runId], retirable: false }]);

    // Retire the patch too early: the old run still needs the old path.
    const early = await checkReplay({ workflows: [shipping('v3', ledger)], store });
    expect(early.ok).toBe(false);
    expect(runOf(early, old.runId).problem).toMatchObject({
      kind: 'non-determinism',
      recorded: '$signal:go#0',
      requested: 'receipt#0',
    });
    expect(runOf(early, fresh.runId).compatible, 'the marked run is compatible with the retired patch').toBe(true);
    expect(ledger.length).toBe(before);

    // The old run completes on the old path under v2, the new one on the new path.
    runtime = runtimeOver(store, [shipping('v2', ledger)]);
    await runtime.signal(old.runId, 'go', 'ok');
    expect(await runtime.handle(old.runId).result()).toBe('old without receipt');
    await runtime.signal(fresh.runId, 'go', 'ok');
    expect(await runtime.handle(fresh.runId).result()).toBe('new with receipt');
    expect(ledger.filter((line) => line.startsWith('receipt'))).toEqual(['receipt new']);
    await stopAll();

    // With --all the completed old run is reported on the old path, but no run that can still be
    // driven needs it: the patch is retirable.
    store = file.openStore();
    const done = await checkReplay({ workflows: [shipping('v2', ledger)], store, select: 'all' });
    expect(done.ok).toBe(true);
    expect(done.patches).toEqual([{ patchId: 'receipt', oldPath: [old.runId], newPath: [fresh.runId], retirable: true }]);
    const active = await checkReplay({ workflows: [shipping('v3', ledger)], store });
    expect(active).toMatchObject({ ok: true, checked: 0 });
  });
});

// ---------------------------------------------------------------------------------------------
// Agents: a counting OpenAI-compatible server; v1 looks a price up, then asks for a refund
// (needs approval) and pauses.

let server: OpenAITestServer;
beforeAll(async () => {
  server = await createOpenAITestServer({ respond: shopReply });
});
afterAll(async () => {
  await server.close();
});

/** A v1 agent run paused on the refund approval in a fresh SQLite file; everything closed afterwards. */
async function pausedAgentRun(ledger: string[]): Promise<{ file: ReturnType<typeof sqliteFile>; runId: string }> {
  const file = sqliteFile();
  const runtime = runtimeOver(file.openStore(), [shopAgent({}, ledger, server.baseURL)]);
  const handle = await runtime.start('shop', 'Refund order o-9');
  const info = await handle.settled();
  expect(info.status).toBe('paused');
  expect(info.pendingApprovals?.map((p) => p.approvalId)).toEqual(['call_refund_1']);
  await stopAll();
  expect(ledger).toEqual(['lookup pear']);
  return { file, runId: handle.runId };
}

const approve = { approved: true, by: 'ops@example.com' };

describe('agent definition changes while a run is paused (SQLite, counting model server)', () => {
  it('a trailing agent turn removed (maxTurns lowered) is detected as unconsumed calls, not MaxTurnsError', async () => {
    const ledger: string[] = [];
    const { file, runId } = await pausedAgentRun(ledger);
    const store = file.openStore();
    const requests = server.requests.length;
    const report = await checkReplay({ workflows: [shopAgent({ maxTurns: 1 }, ledger, server.baseURL)], store });
    expect(server.requests.length, 'no model call during the check').toBe(requests);
    expect(ledger).toEqual(['lookup pear']);
    expect(runOf(report, runId).problem).toMatchObject({ kind: 'unconsumed-calls', recorded: 'model#1', callIndex: 2 });

    const v2 = runtimeOver(store, [shopAgent({ maxTurns: 1 }, ledger, server.baseURL)]);
    await v2.approve(runId, 'call_refund_1', approve);
    const info = await settledRun(v2, runId);
    expect(info.status).toBe('failed');
    expect(info.error?.code).toBe('non-determinism');
    expect(info.error?.message).toContain('"model#1"');
    expect(server.requests.length).toBe(requests);
    expect(ledger, 'the approved refund did not run under the changed code').toEqual(['lookup pear']);
  });

  const changes: Array<{
    title: string;
    variant: AgentVariant;
    parts: string[];
    tools: { added: string[]; removed: string[]; changed: string[] };
  }> = [
    {
      title: 'instructions changed',
      variant: { instructions: 'You run a shop. Be terse.' },
      parts: ['instructions'],
      tools: { added: [], removed: [], changed: [] },
    },
    {
      title: 'a tool removed',
      variant: { withoutLookup: true },
      parts: ['tools'],
      tools: { added: [], removed: ['lookup'], changed: [] },
    },
    {
      title: "a tool's schema changed",
      variant: { refundSchemaChanged: true },
      parts: ['tools'],
      tools: { added: [], removed: [], changed: ['refund'] },
    },
  ];
  for (const change of changes) {
    it(`${change.title}, onDefinitionChange 'continue' (default): reported by checkReplay, journaled on resume, the run goes on`, async () => {
      const ledger: string[] = [];
      const { file, runId } = await pausedAgentRun(ledger);
      const store = file.openStore();
      const requests = server.requests.length;
      const report = await checkReplay({ workflows: [shopAgent(change.variant, ledger, server.baseURL)], store });
      expect(server.requests.length).toBe(requests);
      expect(ledger).toEqual(['lookup pear']);
      const checked = runOf(report, runId);
      expect(checked.compatible).toBe(true);
      expect(checked.stoppedAt).toBe('waiting');
      expect(checked.definitionChanges).toEqual([
        {
          agent: 'shop',
          parts: change.parts,
          previous: expect.stringMatching(/^[0-9a-f]{32}$/),
          current: expect.stringMatching(/^[0-9a-f]{32}$/),
        },
      ]);

      const v2 = runtimeOver(store, [shopAgent(change.variant, ledger, server.baseURL)]);
      await v2.approve(runId, 'call_refund_1', approve);
      expect(await v2.handle(runId).result()).toBe('Refunded 400 cents for o-9.');
      expect(ledger).toEqual(['lookup pear', 'refund o-9 400']);
      expect(server.requests.length, 'one more model call, after the change').toBe(requests + 1);
      const history = await v2.history(runId);
      const marks = history.filter((item) => item.kind === 'change-mark');
      expect(marks).toHaveLength(1);
      expect(marks[0]).toMatchObject({
        key: 'definition:shop',
        change: {
          type: 'definition',
          agent: 'shop',
          parts: change.parts,
          tools: change.tools,
          previous: checked.definitionChanges[0]!.previous,
          current: checked.definitionChanges[0]!.current,
        },
      });
      // The mark comes before anything the run did under the new definition.
      const markSeq = marks[0]!.seq;
      expect(history.filter((item) => item.key === 'tool:refund#0' && item.kind === 'step-end')[0]!.seq).toBeGreaterThan(markSeq);
      // Recorded once: the run's journal now says the new definition is in force.
      await stopAll();
      const after = await checkReplay({
        workflows: [shopAgent(change.variant, ledger, server.baseURL)],
        store: file.openStore(),
        select: 'all',
      });
      expect(runOf(after, runId)).toMatchObject({ compatible: true, definitionChanges: [] });
    });
  }

  it("instructions changed, onDefinitionChange 'fail': checkReplay reports it, resume stops resumably, the old definition resumes", async () => {
    const ledger: string[] = [];
    const { file, runId } = await pausedAgentRun(ledger);
    const store = file.openStore();
    const requests = server.requests.length;
    const strict = { instructions: 'You run a shop. Be terse.', onDefinitionChange: 'fail' as const };
    const report = await checkReplay({ workflows: [shopAgent(strict, ledger, server.baseURL)], store });
    expect(server.requests.length).toBe(requests);
    expect(report.ok).toBe(false);
    expect(runOf(report, runId).problem).toMatchObject({
      kind: 'definition-changed',
      agent: 'shop',
      parts: ['instructions'],
      tools: { added: [], removed: [], changed: [] },
    });

    const v2 = runtimeOver(store, [shopAgent(strict, ledger, server.baseURL)]);
    await v2.approve(runId, 'call_refund_1', approve);
    const info = await settledRun(v2, runId);
    expect(info.status).toBe('failed');
    expect(info.error?.code).toBe('non-determinism');
    expect(info.error?.message).toContain(`run "${runId}": agent "shop" definition changed`);
    expect(info.error?.message).toContain("onDefinitionChange is 'fail'");
    expect(kinds(await v2.history(runId))).not.toContain('run-end:run');
    expect(ledger, 'the refund did not run').toEqual(['lookup pear']);
    expect(server.requests.length).toBe(requests);
    await stopAll();

    const restored = runtimeOver(file.openStore(), [shopAgent({ onDefinitionChange: 'fail' }, ledger, server.baseURL)]);
    await restored.resume(runId);
    expect(await restored.handle(runId).result()).toBe('Refunded 400 cents for o-9.');
    expect(ledger).toEqual(['lookup pear', 'refund o-9 400']);
  });

  it('every link of the request hash covers the definition: a turn after an instructions change hashes differently from the same turn without it', async () => {
    const modelHashes = async (runtime: Runtime, runId: string) =>
      (await runtime.history(runId))
        .filter((h) => h.kind === 'step-end' && h.key.startsWith('model#'))
        .map((h) => (h.value as { h: string }).h);
    // Uninterrupted under v1.
    const ledger: string[] = [];
    const straight = runtimeOver(sqliteFile().openStore(), [shopAgent({}, ledger, server.baseURL)]);
    const first = await straight.start('shop', 'Refund order o-9');
    await first.settled();
    await straight.approve(first.runId, 'call_refund_1', approve);
    await first.result();
    const unchanged = await modelHashes(straight, first.runId);
    await stopAll();
    // Paused under v1, resumed under other instructions: same messages, same earlier links.
    const { file, runId } = await pausedAgentRun([]);
    const changed = runtimeOver(file.openStore(), [shopAgent({ instructions: 'You run a shop. Be terse.' }, [], server.baseURL)]);
    await changed.approve(runId, 'call_refund_1', approve);
    await changed.handle(runId).result();
    const resumed = await modelHashes(changed, runId);
    expect(unchanged).toHaveLength(3);
    expect(resumed.slice(0, 2)).toEqual(unchanged.slice(0, 2));
    expect(resumed[2], 'the link after the change covers the new instructions').not.toBe(unchanged[2]);
  });
});
