/**
 * Engine scenarios of run metadata and retention, run against every adapter by
 * `engineConformanceSuite`: metadata stored with the run and filterable by `list`, `stats().backend`,
 * and retention (`expiresAt`, per-status `retention`) enforced by `cleanup` and `serve` — never on a
 * run that has not ended. Portable: no node:*, no Buffer, no DOM.
 */
import { expect, it } from 'vitest';
import { createManualClock } from '../engine/clock.ts';
import type { RunInfo } from '../engine/run-info.ts';
import { createRuntime, type Runtime } from '../engine/runtime.ts';
import { defineWorkflow } from '../engine/workflow.ts';
import { NonRetriableError } from '../errors.ts';
import type { DurableStore } from '../storage/types.ts';
import type { StoreHarness } from './harness.ts';

const job = defineWorkflow('lifecycle-job', async (ctx, input: { fail?: boolean; wait?: boolean }) => {
  await ctx.step('work', () => {
    if (input.fail) throw new NonRetriableError('job failed');
    return 1;
  });
  if (input.wait) await ctx.waitForSignal('go');
  return 'done';
});

async function listAll(runtime: Runtime, query: Parameters<Runtime['list']>[0]): Promise<RunInfo[]> {
  const runs: RunInfo[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 50; page++) {
    const result = await runtime.list({ ...query, ...(cursor ? { cursor } : {}) });
    runs.push(...result.runs);
    cursor = result.cursor;
    if (!cursor) break;
  }
  return runs;
}

/** Register the metadata and retention scenarios (called inside the engine scenarios' `describe`). */
export function lifecycleScenarios(harness: StoreHarness, runtimes: Runtime[], timeout: number): void {
  function runtimeOn(store: DurableStore, clock = createManualClock(), extra: Partial<Parameters<typeof createRuntime>[0]> = {}) {
    const runtime = createRuntime({ store, workflows: [job], clock, leaseMs: 1_000, autoWake: false, ...extra });
    runtimes.push(runtime);
    return runtime;
  }

  it(
    'keeps metadata with the run (get, list) and filters list by exact match of every pair, across pages; stats names the backend',
    async () => {
      const store = await harness.create();
      const clock = createManualClock();
      const runtime = runtimeOn(store, clock);
      const users = ['u1', 'u2', 'u1', 'u3', 'u1', 'u2', 'u1'];
      const ids: string[] = [];
      for (const [i, userId] of users.entries()) {
        const run = await runtime.start(job, { wait: i === 4 }, { metadata: { userId, sessionId: `s${Math.floor(i / 3)}` } });
        await run.settled();
        ids.push(run.runId);
        await clock.advance(1);
      }
      expect((await runtime.get(ids[0]!)).metadata).toEqual({ userId: 'u1', sessionId: 's0' });
      const u1 = await listAll(runtime, { metadata: { userId: 'u1' }, limit: 2 });
      expect(u1.map((r) => r.runId)).toEqual([ids[6], ids[4], ids[2], ids[0]]);
      const u1s0 = await listAll(runtime, { metadata: { userId: 'u1', sessionId: 's0' }, limit: 1 });
      expect(u1s0.map((r) => r.runId)).toEqual([ids[2], ids[0]]);
      const paused = await listAll(runtime, { metadata: { userId: 'u1' }, status: ['paused'] });
      expect(paused.map((r) => r.runId)).toEqual([ids[4]]);
      expect(await listAll(runtime, { metadata: { userId: 'nobody' } })).toEqual([]);
      await expect(runtime.list({ metadata: { userId: 7 } as never })).rejects.toMatchObject({ code: 'invalid-argument' });
      await expect(runtime.list({ metadata: ['x'] as never })).rejects.toMatchObject({ code: 'invalid-argument' });
      const before = (await runtime.stats()).total;
      await expect(runtime.start(job, {}, { metadata: { 'bad key': 'x' } })).rejects.toMatchObject({ code: 'invalid-argument' });
      await expect(runtime.start(job, {}, { metadata: { k: 'v'.repeat(600) } })).rejects.toThrow(/at most 512/);
      await expect(runtime.start(job, {}, { expiresAt: Number.NaN })).rejects.toMatchObject({ code: 'invalid-argument' });
      const stats = await runtime.stats();
      expect(stats.total, 'a refused start writes nothing').toBe(before);
      expect(stats.backend).toBe(store.name);
      expect(stats.backend.length).toBeGreaterThan(0);
    },
    timeout,
  );

  it(
    'retention: a run past expiresAt is deleted by cleanup and by serve, a run that has not ended never; per-status retention by when it ended',
    async () => {
      const store = await harness.create();
      const clock = createManualClock();
      const runtime = runtimeOn(store, clock, { retention: { failed: 5_000 } });
      const t0 = clock.now();
      const expiring = await runtime.start(job, {}, { expiresAt: t0 + 1_000, runId: 'expiring' });
      const waiting = await runtime.start(job, { wait: true }, { expiresAt: t0 + 1_000, runId: 'waiting' });
      const kept = await runtime.start(job, {}, { runId: 'kept' });
      const failed = await runtime.start(job, { fail: true }, { runId: 'failed' });
      for (const run of [expiring, waiting, kept, failed]) await run.settled();
      expect((await runtime.get('expiring')).expiresAt).toBe(t0 + 1_000);
      // Not yet due: nothing is deleted.
      expect(await runtime.cleanup()).toBe(0);
      await clock.advance(2_000);
      expect(await runtime.cleanup(), 'only the ended, expired run').toBe(1);
      expect(await store.getRun('expiring')).toBeNull();
      expect((await runtime.get('waiting')).status, 'a paused run past its expiresAt is kept').toBe('paused');
      expect((await runtime.get('failed')).status).toBe('failed');
      // The paused run ends after its expiry: now it goes, by serve, with the failed run's retention.
      await runtime.signal('waiting', 'go');
      await runtime.resume('waiting');
      expect(await runtime.handle('waiting').result()).toBe('done');
      await clock.advance(5_000);
      const server = runtime.serve({ pollMs: 100 });
      for (let i = 0; i < 200 && (await store.getRun('failed')) !== null; i++) await new Promise((r) => setTimeout(r, 2));
      await server.stop({ drainMs: 0 });
      expect(await store.getRun('failed'), 'failed runs kept 5 s').toBeNull();
      expect(await store.getRun('waiting'), 'ended and past its expiresAt').toBeNull();
      expect((await runtime.get('kept')).status, 'no expiry, no retention for completed').toBe('completed');
      expect(() => runtimeOn(store, clock, { retention: { running: 1 } as never })).toThrow(/retention keys/);
      expect(() => runtimeOn(store, clock, { retention: { completed: -1 } })).toThrow(/retention.completed/);
    },
    timeout,
  );
}
