/**
 * Engine scenarios of deploying new code while runs are in flight (ADR 0100, 0102, 0103): a run
 * paused under v1 meets v2 in a fresh runtime over the reopened store. Portable: part of the engine
 * conformance suite, so every adapter shows the same verdicts.
 */
import { expect, it } from 'vitest';
import { checkReplay } from '../engine/check-replay.ts';
import { createManualClock } from '../engine/clock.ts';
import { createRuntime, type Runtime } from '../engine/runtime.ts';
import { defineWorkflow, type Workflow } from '../engine/workflow.ts';
import type { DurableStore } from '../storage/types.ts';
import type { StoreHarness } from './harness.ts';

const LEASE_MS = 1_000;

/** v1: a, a `once` charge, a signal wait, ship. `removed` drops the charge and returns; `patched` adds a receipt behind a patch. */
function order(version: 'v1' | 'removed' | 'patched', effects: string[]): Workflow<string, string> {
  return defineWorkflow('deploy-order', async (ctx, id: string) => {
    await ctx.step('a', () => effects.push(`a ${id}`));
    if (version === 'removed') return `${id} done`;
    if (version === 'patched' && (await ctx.patched('receipt'))) await ctx.step('receipt', () => effects.push(`receipt ${id}`));
    await ctx.step('charge', () => effects.push(`charge ${id}`), { effect: 'once' });
    const go = await ctx.waitForSignal<string>('go', { timeoutMs: 3_600_000 });
    await ctx.step('ship', () => effects.push(`ship ${id}`));
    return `${id} ${go}`;
  });
}

/** Register the deploy scenarios (called inside the engine suite's describe). */
export function deployScenarios(
  harness: StoreHarness,
  runtimes: Runtime[],
  successor: (base: DurableStore) => Promise<DurableStore>,
  timeout: number,
): void {
  async function pausedUnderV1(
    effects: string[],
    ids: string[],
  ): Promise<{ store: DurableStore; clock: ReturnType<typeof createManualClock> }> {
    const clock = createManualClock();
    const base = await harness.create();
    const v1 = createRuntime({ store: base, workflows: [order('v1', effects)], clock, leaseMs: LEASE_MS, owner: 'v1' });
    for (const id of ids) {
      const run = await v1.start('deploy-order', id, { runId: id });
      expect((await run.settled()).status).toBe('paused');
    }
    await v1.close();
    return { store: await successor(base), clock };
  }

  it(
    'deploy: a removed trailing step is detected (checkReplay and resume), nothing runs, the fixed code resumes the run',
    async () => {
      const effects: string[] = [];
      const { store, clock } = await pausedUnderV1(effects, ['r1']);
      expect(effects).toEqual(['a r1', 'charge r1']);
      const report = await checkReplay({ workflows: [order('removed', effects)], store, clock });
      expect(report.runs).toEqual([
        expect.objectContaining({
          runId: 'r1',
          compatible: false,
          problem: expect.objectContaining({ kind: 'unconsumed-calls', recorded: 'charge#0' }),
        }),
      ]);
      const v2 = createRuntime({ store, workflows: [order('removed', effects)], clock, leaseMs: LEASE_MS, owner: 'v2' });
      runtimes.push(v2);
      await v2.resume('r1');
      const info = await v2.handle('r1').settled();
      expect(info.status).toBe('failed');
      expect(info.error?.code).toBe('non-determinism');
      expect((await store.readEntries('r1')).some((e) => e.kind === 'run-end')).toBe(false);
      await v2.close();
      const fixed = createRuntime({ store, workflows: [order('v1', effects)], clock, leaseMs: LEASE_MS, owner: 'fixed' });
      runtimes.push(fixed);
      await fixed.resume('r1');
      expect((await fixed.handle('r1').settled()).status).toBe('paused');
      await fixed.signal('r1', 'go', 'shipped');
      expect(await fixed.handle('r1').result()).toBe('r1 shipped');
      expect(effects).toEqual(['a r1', 'charge r1', 'ship r1']);
    },
    timeout,
  );

  it(
    'deploy: ctx.patched keeps a paused run on the old path and puts a new run on the new one, with one change-mark',
    async () => {
      const effects: string[] = [];
      const { store, clock } = await pausedUnderV1(effects, ['old']);
      const v2 = createRuntime({ store, workflows: [order('patched', effects)], clock, leaseMs: LEASE_MS, owner: 'v2' });
      runtimes.push(v2);
      const fresh = await v2.start('deploy-order', 'new', { runId: 'new' });
      expect((await fresh.settled()).status).toBe('paused');
      const report = await checkReplay({ workflows: [order('patched', effects)], store, clock });
      expect(report.ok).toBe(true);
      expect(report.patches).toEqual([{ patchId: 'receipt', oldPath: ['old'], newPath: ['new'], retirable: false }]);
      for (const id of ['old', 'new']) await v2.signal(id, 'go', 'ok');
      expect(await v2.handle('old').result()).toBe('old ok');
      expect(await v2.handle('new').result()).toBe('new ok');
      expect(effects.filter((e) => e.startsWith('receipt'))).toEqual(['receipt new']);
      const marks = (await store.readEntries('new')).filter((e) => e.kind === 'change-mark');
      expect(marks.map((e) => e.key)).toEqual(['patch:receipt']);
      expect((await store.readEntries('old')).some((e) => e.kind === 'change-mark')).toBe(false);
    },
    timeout,
  );
}
