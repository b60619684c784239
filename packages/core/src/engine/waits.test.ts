import { describe, expect, it } from 'vitest';
import { CairnError } from '../errors.ts';
import { flush, testBed } from './test-kit.ts';
import { defineWorkflow } from './workflow.ts';

describe('durable waits', () => {
  it('keeps a signal sent before the wait', async () => {
    const bed = testBed();
    const wf = defineWorkflow('early-signal', async (ctx) => {
      await ctx.sleep(1000);
      return ctx.waitForSignal<{ ok: boolean }>('ready');
    });
    const runtime = bed.runtime({ workflows: [wf] });
    const run = await runtime.start(wf, null);
    expect((await run.settled()).pauseReason).toBe('sleep');
    await runtime.signal(run.runId, 'ready', { ok: true });
    expect((await runtime.get(run.runId)).status).toBe('paused');
    await bed.clock.advance(1000);
    expect(await run.result()).toEqual({ ok: true });
  });

  it('sleeps durably: a new runtime wakes the run at its time (injectable clock)', async () => {
    const bed = testBed();
    const wf = defineWorkflow('sleeper', async (ctx) => {
      const before = await ctx.now();
      await ctx.sleep(60_000);
      return (await ctx.now()) - before;
    });
    const first = bed.runtime({ workflows: [wf], autoWake: false });
    const run = await first.start(wf, null);
    const info = await run.settled();
    expect(info).toMatchObject({ status: 'paused', pauseReason: 'sleep', wakeAt: bed.clock.now() + 60_000 });
    await first.close();
    const second = bed.runtime({ workflows: [wf], autoWake: false });
    await bed.clock.advance(59_999);
    expect((await second.resumeAll()).resumed).toEqual([]);
    await bed.clock.advance(1);
    expect((await second.resumeAll()).resumed).toEqual([run.runId]);
    expect(await second.handle(run.runId).result()).toBeGreaterThanOrEqual(60_000);
  });

  it('times a signal wait out durably with SignalTimeoutError', async () => {
    const bed = testBed();
    const wf = defineWorkflow('timeout', async (ctx) => {
      try {
        await ctx.waitForSignal('never', { timeoutMs: 500 });
        return 'got it';
      } catch (error) {
        return CairnError.is(error, 'signal-timeout') ? 'timed out' : 'other';
      }
    });
    const runtime = bed.runtime({ workflows: [wf] });
    const run = await runtime.start(wf, null);
    expect((await run.settled()).pauseReason).toBe('event');
    await bed.clock.advance(500);
    expect(await run.result()).toBe('timed out');
    // A signal after the timeout changes nothing on replay: the timeout is journaled.
    expect((await runtime.history(run.runId)).some((h) => h.kind === 'step-fail' && h.key === '$signal:never#0')).toBe(true);
  });

  it('records approvals with an audit trail, refuses double decisions, and expires to the default', async () => {
    const bed = testBed();
    const wf = defineWorkflow('approvals', async (ctx) => {
      const refund = await ctx.waitForApproval('refund', { details: { amount: 42 } });
      const second = await ctx.waitForApproval('escalate', { timeoutMs: 1000, defaultDecision: false });
      return { refund: refund.approved, by: refund.by, reason: refund.reason, escalate: second.approved, expiredBy: second.by };
    });
    const runtime = bed.runtime({ workflows: [wf] });
    const run = await runtime.start(wf, null);
    const paused = await run.settled();
    expect(paused.pauseReason).toBe('approval');
    expect(paused.pendingApprovals).toMatchObject([{ approvalId: 'refund#0', details: { amount: 42 } }]);
    await expect(runtime.approve(run.runId, 'nope#0', { approved: true, by: 'ada' })).rejects.toMatchObject({
      code: 'approval-not-found',
    });
    await runtime.approve(run.runId, 'refund#0', { approved: true, by: 'ada@example.com', reason: 'customer is right' });
    await expect(runtime.approve(run.runId, 'refund#0', { approved: false, by: 'bob' })).rejects.toMatchObject({
      code: 'approval-already-decided',
    });
    await run.settled();
    await bed.clock.advance(1000);
    expect(await run.result()).toEqual({
      refund: true,
      by: 'ada@example.com',
      reason: 'customer is right',
      escalate: false,
      expiredBy: 'cairn:expired',
    });
    const decisions = (await runtime.history(run.runId)).filter((h) => h.kind === 'approval-decide');
    expect(decisions.map((d) => d.approval?.by)).toEqual(['ada@example.com', 'cairn:expired']);
    expect(decisions[0]?.approval?.at).toBeTypeOf('number');
  });

  it('delivers a signal to a run another runtime paused, and wakes it there', async () => {
    const bed = testBed();
    const wf = defineWorkflow('cross', async (ctx) => ctx.waitForSignal<string>('name'));
    const driver = bed.runtime({ workflows: [wf], owner: 'driver' });
    const run = await driver.start(wf, null);
    await run.settled();
    const other = bed.runtime({ store: bed.peerStore(), workflows: [], owner: 'sender' });
    await other.signal(run.runId, 'name', 'Ada');
    // The sender cannot run the workflow; the run is now due for any resumer.
    expect((await other.get(run.runId)).wakeAt).toBe(bed.clock.now());
    await driver.resumeAll();
    expect(await run.result()).toBe('Ada');
  });

  it('cancels: the running step sees an aborted signal and the run ends cancelled', async () => {
    const bed = testBed();
    let aborted = false;
    const wf = defineWorkflow('cancel-me', async (ctx) => {
      await ctx.step(
        'long',
        (step) =>
          new Promise((_, reject) =>
            step.signal.addEventListener('abort', () => {
              aborted = true;
              reject(step.signal.reason);
            }),
          ),
      );
      return 'never';
    });
    const runtime = bed.runtime({ workflows: [wf] });
    const run = await runtime.start(wf, null);
    await flush();
    await runtime.cancel(run.runId, { reason: 'user clicked stop' });
    expect(aborted).toBe(true);
    await expect(run.result()).rejects.toMatchObject({ code: 'run-cancelled' });
    expect((await runtime.get(run.runId)).status).toBe('cancelled');
    expect((await runtime.history(run.runId)).at(-1)).toMatchObject({ kind: 'run-end', status: 'cancelled' });
  });

  it('cancels a paused run, and a run driven elsewhere at its next step boundary', async () => {
    const bed = testBed();
    const steps: number[] = [];
    const wf = defineWorkflow('boundary', async (ctx) => {
      for (let i = 0; i < 50; i++)
        await ctx.step('tick', async () => {
          steps.push(i);
          await new Promise((r) => setTimeout(r, 2));
        });
      return 'done';
    });
    const driver = bed.runtime({ workflows: [wf], owner: 'driver' });
    const run = await driver.start(wf, null);
    await new Promise((r) => setTimeout(r, 10));
    const other = bed.runtime({ store: bed.peerStore(), workflows: [], owner: 'other' });
    await other.cancel(run.runId);
    await expect(run.result()).rejects.toMatchObject({ code: 'run-cancelled' });
    expect(steps.length).toBeLessThan(50);

    const pauser = defineWorkflow('pauser', async (ctx) => ctx.waitForSignal('x'));
    const r2 = bed.runtime({ workflows: [pauser] });
    const paused = await r2.start(pauser, null);
    await paused.settled();
    await other.cancel(paused.runId);
    expect((await r2.get(paused.runId)).status).toBe('cancelled');
  });
});
