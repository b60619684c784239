import { describe, expect, it } from 'vitest';
import { flush, testBed } from './test-kit.ts';
import { defineWorkflow } from './workflow.ts';

/** A gate a step waits on; the test opens it. */
function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

async function until(done: () => boolean | Promise<boolean>, rounds = 200): Promise<void> {
  for (let i = 0; i < rounds && !(await done()); i++) await flush(1);
}

describe('runtime.serve', () => {
  it('picks up queued runs (start with drive: false), oldest first, never more than `concurrency` at once', async () => {
    const bed = testBed();
    let inFlight = 0;
    let peak = 0;
    const order: number[] = [];
    const wf = defineWorkflow('queued', async (ctx, n: number) =>
      ctx.step('work', async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        order.push(n);
        await new Promise((resolve) => setTimeout(resolve, 2));
        inFlight--;
        return n * 2;
      }),
    );
    const producer = bed.runtime({ workflows: [wf], owner: 'producer' });
    const handles = [];
    for (let n = 0; n < 12; n++) {
      handles.push(await producer.start(wf, n, { drive: false }));
      await bed.clock.advance(1);
    }
    // Queued: stored running with no lease and nothing journaled; nobody drives it yet.
    const queued = await producer.get(handles[0]!.runId);
    expect(queued).toMatchObject({ status: 'running', lease: null, lastSeq: 0 });
    await flush();
    expect(order).toEqual([]);
    const worker = bed.runtime({ workflows: [wf], owner: 'worker', store: bed.peerStore() });
    const server = worker.serve({ concurrency: 3, pollMs: 50 });
    for (const [n, handle] of handles.entries()) expect(await worker.handle<number>(handle.runId).result()).toBe(n * 2);
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
    expect(order.slice(0, 3).sort()).toEqual([0, 1, 2]);
    // Each queued run's journal opens with run-start (no takeover fence: it never had an owner).
    const history = await worker.history(handles[0]!.runId);
    expect(history[0]?.kind).toBe('run-start');
    expect(history.some((item) => item.kind === 'lease-take')).toBe(false);
    await server.stop();
    expect(server.active.size).toBe(0);
  });

  it('close() releases the leases it held: a serving peer takes the run over at once, with no lease wait', async () => {
    const bed = testBed();
    const held = gate();
    const calls: string[] = [];
    const make = (who: string) =>
      defineWorkflow('handover', async (ctx) => {
        await ctx.step('first', () => {
          calls.push(`first:${who}`);
          return 1;
        });
        await ctx.step('slow', async (step) => {
          calls.push(`slow:${who}`);
          if (who === 'a')
            await Promise.race([held.wait, new Promise<void>((r) => step.signal.addEventListener('abort', () => r()))]);
          return 2;
        });
        return 'done';
      });
    const a = bed.runtime({ workflows: [make('a')], owner: 'a', leaseMs: 60_000 });
    const run = await a.start('handover', null);
    await until(() => calls.includes('slow:a'));
    const b = bed.runtime({ workflows: [make('b')], owner: 'b', leaseMs: 60_000, store: bed.peerStore() });
    const server = b.serve({ pollMs: 20 });
    // a's lease is live for a minute: b leaves the run alone.
    expect(await server.poll()).toEqual([]);
    await a.close();
    expect((await b.get(run.runId)).lease, 'the lease was handed back').toBeNull();
    // No clock advance: b takes the run at its next poll.
    expect(await server.poll()).toEqual([run.runId]);
    expect(await b.handle(run.runId).result()).toBe('done');
    expect(calls).toEqual(['first:a', 'slow:a', 'slow:b']);
    const takes = (await b.history(run.runId)).filter((item) => item.kind === 'lease-take');
    expect(takes.map((item) => item.lease)).toEqual([{ owner: 'b', previousOwner: null, expiresAt: expect.any(Number) }]);
    held.open();
  });

  it('takes over a run whose owner died only once its lease has expired, and wakes due sleeps', async () => {
    const bed = testBed();
    const calls: string[] = [];
    const wf = defineWorkflow('sleeper', async (ctx) => {
      await ctx.step('before', () => calls.push('before'));
      await ctx.sleep(5_000);
      await ctx.step('after', () => calls.push('after'));
      return 'woke';
    });
    // A "dead" owner: a lease that nobody renews.
    const dead = bed.runtime({ workflows: [wf], owner: 'dead', autoWake: false });
    const run = await dead.start(wf, null);
    expect((await dead.handle(run.runId).settled()).status).toBe('paused');
    const worker = bed.runtime({ workflows: [wf], owner: 'worker', autoWake: false, store: bed.peerStore() });
    const server = worker.serve({ pollMs: 100 });
    expect(await server.poll()).toEqual([]);
    await bed.clock.advance(5_000);
    await until(async () => (await worker.get(run.runId)).status === 'completed');
    expect(await worker.handle(run.runId).result()).toBe('woke');
    expect(calls).toEqual(['before', 'after']);
    await server.stop();
  });

  it('stop() drains: a run finishing within drainMs completes; one that does not is stopped and its lease released', async () => {
    const bed = testBed();
    const quick = gate();
    const wf = defineWorkflow('drain', async (ctx, slow: boolean) =>
      ctx.step('work', async (step) => {
        if (slow) await new Promise<void>((r) => step.signal.addEventListener('abort', () => r()));
        else await quick.wait;
        return 'ok';
      }),
    );
    const producer = bed.runtime({ workflows: [wf], owner: 'producer' });
    const fast = await producer.start(wf, false, { drive: false });
    const slow = await producer.start(wf, true, { drive: false });
    const worker = bed.runtime({ workflows: [wf], owner: 'worker', store: bed.peerStore() });
    const server = worker.serve({ pollMs: 50 });
    await until(() => server.active.size === 2);
    const stopping = server.stop({ drainMs: 1_000 });
    quick.open();
    await until(async () => (await worker.get(fast.runId)).status === 'completed');
    await bed.clock.advance(1_000);
    await stopping;
    expect((await worker.get(fast.runId)).status).toBe('completed');
    const left = await worker.get(slow.runId);
    expect(left.status).toBe('running');
    expect(left.lease, 'the stopped run is free for the next process').toBeNull();
    // Stopped means stopped: no new work is taken.
    expect(await server.poll()).toEqual([]);
  });

  it('refuses bad options with a clear error', () => {
    const bed = testBed();
    const wf = defineWorkflow('x', async () => 1);
    const runtime = bed.runtime({ workflows: [wf] });
    expect(() => runtime.serve({ concurrency: 0 })).toThrow(/concurrency must be an integer/);
    expect(() => runtime.serve({ concurrency: Number.NaN })).toThrow(/concurrency/);
    expect(() => runtime.serve({ pollMs: 1 })).toThrow(/pollMs/);
    expect(() => runtime.serve({ pollMs: Number.POSITIVE_INFINITY })).toThrow(/pollMs/);
    return expect(runtime.start(wf, null, { drive: 'no' as never })).rejects.toThrow(/drive must be a boolean/);
  });
});
