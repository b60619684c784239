import { describe, expect, it } from 'vitest';
import { initialRun } from '../storage/initial-run.ts';
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

describe('peer locks', () => {
  it('takes over a run whose driver died under a live lease when the peer lock is free', async () => {
    const bed = testBed();
    const held = new Set<string>();
    const locks = {
      async tryAcquire(runId: string) {
        if (held.has(runId)) return null;
        held.add(runId);
        return { release: () => void held.delete(runId) };
      },
    };
    let hang = false;
    const wf = defineWorkflow('tab', async (ctx) =>
      ctx.step('work', async () => {
        if (hang) await new Promise(() => {});
        return 'done';
      }),
    );
    // The first "tab" crashed mid-run: its lease is live, but its lock died with it.
    const frozen = { now: () => bed.clock.now(), setTimer: () => ({ cancel() {} }) };
    const dead = bed.runtime({ workflows: [], owner: 'dead-tab', clock: frozen });
    await dead.store.createRun(
      initialRun({
        runId: 'run-tab',
        workflow: 'tab',
        input: '{}',
        createdAt: bed.clock.now(),
        lease: { owner: 'dead-tab', expiresAt: bed.clock.now() + 30_000 },
      }),
    );
    const withoutLocks = bed.runtime({ workflows: [wf], owner: 'no-locks' });
    await expect(withoutLocks.resume('run-tab')).rejects.toMatchObject({ code: 'lease-held' });
    const tab = bed.runtime({ workflows: [wf], owner: 'live-tab', locks });
    expect((await tab.resumeAll()).resumed).toEqual(['run-tab']);
    expect(await tab.handle('run-tab').result()).toBe('done');
    // A peer holding the lock blocks takeover, even of a run whose lease ran out.
    const seed = bed.runtime({ workflows: [wf], owner: 'seed', clock: frozen });
    hang = true;
    const second = await seed.start(wf, null);
    await flush();
    await seed.close();
    hang = false;
    expect((await seed.store.getRun(second.runId))?.status).toBe('running');
    await bed.clock.advance(60_000);
    held.add(second.runId);
    const other = bed.runtime({ workflows: [wf], owner: 'other-tab', locks });
    await expect(other.resume(second.runId)).rejects.toMatchObject({ code: 'lease-held' });
    expect((await other.resumeAll()).resumed).toEqual([]);
    held.delete(second.runId);
    expect((await other.resumeAll()).resumed).toEqual([second.runId]);
    expect(await other.handle(second.runId).result()).toBe('done');
  });
});

describe('peer locks held by the starter', () => {
  /** One lock table shared by two runtimes, as the tabs of an origin share `navigator.locks`. */
  function sharedLocks() {
    const held = new Set<string>();
    return {
      held,
      locks: {
        async tryAcquire(runId: string) {
          if (held.has(runId)) return null;
          held.add(runId);
          return { release: () => void held.delete(runId) };
        },
      },
    };
  }

  it("keeps a run it started from a peer's resumeAll and resume while it drives it", async () => {
    const bed = testBed();
    const { held, locks } = sharedLocks();
    const executions: string[] = [];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const wf = defineWorkflow('tabbed', async (ctx) => {
      const first = await ctx.step('slow', async () => {
        executions.push(ctx.runId);
        await gate;
        return 1;
      });
      return first + 1;
    });
    const driver = bed.runtime({ workflows: [wf], owner: 'tab-a', locks });
    const peer = bed.runtime({ store: bed.peerStore(), workflows: [wf], owner: 'tab-b', locks });
    const run = await driver.start(wf, null);
    await flush();
    expect(held.has(run.runId)).toBe(true);
    // A peer with locks trusts a free lock over a live lease: the starter must hold the lock.
    expect((await peer.resumeAll()).resumed).toEqual([]);
    await expect(peer.resume(run.runId)).rejects.toMatchObject({ code: 'lease-held' });
    open();
    expect(await run.result()).toBe(2);
    expect(executions).toEqual([run.runId]);
    await flush();
    expect(held.has(run.runId)).toBe(false);
  });

  it('hands back the existing run when a peer drives the same idempotency key', async () => {
    const bed = testBed();
    const { locks } = sharedLocks();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const wf = defineWorkflow('keyed', async (ctx) => ctx.step('slow', () => gate.then(() => 'done')));
    const driver = bed.runtime({ workflows: [wf], owner: 'tab-a', locks });
    const peer = bed.runtime({ store: bed.peerStore(), workflows: [wf], owner: 'tab-b', locks });
    const first = await driver.start(wf, null, { idempotencyKey: 'order-42' });
    await flush();
    const second = await peer.start(wf, null, { idempotencyKey: 'order-42' });
    expect(second.runId).toBe(first.runId);
    open();
    expect(await first.result()).toBe('done');
  });

  it('holds the lock of a fork it drives', async () => {
    const bed = testBed();
    const { held, locks } = sharedLocks();
    let open!: () => void;
    let gate = Promise.resolve();
    const wf = defineWorkflow('forked', async (ctx) => {
      const a = await ctx.step('a', () => 1);
      return ctx.step('b', () => gate.then(() => a + 1));
    });
    const driver = bed.runtime({ workflows: [wf], owner: 'tab-a', locks });
    const source = await driver.start(wf, null);
    expect(await source.result()).toBe(2);
    gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const fork = await driver.fork(source.runId, { atSeq: 2 });
    await flush();
    expect(held.has(fork.runId)).toBe(true);
    const peer = bed.runtime({ store: bed.peerStore(), workflows: [wf], owner: 'tab-b', locks });
    expect((await peer.resumeAll()).resumed).toEqual([]);
    open();
    expect(await fork.result()).toBe(2);
  });
});
