import { describe, expect, it } from 'vitest';
import { flush, testBed } from './test-kit.ts';
import { defineWorkflow } from './workflow.ts';

describe('two runtimes on one run', () => {
  it('fences a zombie: each seq is committed once, no gap or duplicate, the loser stops', async () => {
    const bed = testBed();
    const executions: string[] = [];
    let releaseZombie!: () => void;
    const zombieGate = new Promise<void>((resolve) => {
      releaseZombie = resolve;
    });
    const wf = defineWorkflow('contended', async (ctx) => {
      const out: number[] = [];
      for (let i = 0; i < 6; i++) {
        out.push(
          await ctx.step('s', async (step) => {
            executions.push(`${step.stepId}`);
            // The first owner freezes inside step 2 (a paused VM, a sleeping laptop) past its lease.
            if (ctx.runId && i === 2 && executions.filter((e) => e === 's#2').length === 1) await zombieGate;
            return i;
          }),
        );
      }
      return out;
    });
    const events: string[] = [];
    // A frozen process: it reads the same wall clock but its timers (lease renewals) never fire.
    const frozen = { now: () => bed.clock.now(), setTimer: () => ({ cancel() {} }) };
    const a = bed.runtime({
      workflows: [wf],
      owner: 'A',
      clock: frozen,
      onEvent: (e) => e.type === 'lease-lost' && events.push(`A:${e.reason}`),
    });
    const run = await a.start(wf, null);
    await flush();
    // A's lease lapses (its renewals are not running: the clock jumps), B takes over.
    await bed.clock.advance(5_000);
    const b = bed.runtime({ store: bed.peerStore(), workflows: [wf], owner: 'B' });
    await b.resume(run.runId);
    const result = await b.handle(run.runId).result();
    releaseZombie();
    await flush(10);
    expect(result).toEqual([0, 1, 2, 3, 4, 5]);
    const entries = await bed.store.readEntries(run.runId);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    const ends = entries.filter((e) => e.kind === 'step-end').map((e) => e.key);
    expect(new Set(ends).size).toBe(ends.length);
    expect(ends).toHaveLength(6);
    expect(events.some((e) => e.startsWith('A:'))).toBe(true);
  });

  it('lets only one of two runtimes take an expired run at the same moment', async () => {
    const bed = testBed();
    const wf = defineWorkflow('pick', async (ctx) => ctx.step('x', () => 1));
    const seed = bed.runtime({ workflows: [wf], owner: 'seed', autoWake: false });
    const run = await seed.start(wf, null);
    await seed.close();
    await bed.clock.advance(10_000);
    const b = bed.runtime({ workflows: [wf], owner: 'B' });
    const c = bed.runtime({ store: bed.peerStore(), workflows: [wf], owner: 'C' });
    const results = await Promise.allSettled([b.resume(run.runId), c.resume(run.runId)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined)?.reason).toMatchObject({
      code: 'lease-held',
    });
    expect(
      await b
        .handle(run.runId)
        .result()
        .catch(() => c.handle(run.runId).result()),
    ).toBe(1);
  });
});
