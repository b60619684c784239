/**
 * Regression tests of the hostile review (issue "Guarantees that hold under attack"), one `describe`
 * per numbered defect that lives in the engine. Portable: these also run in workerd.
 */
import { describe, expect, it } from 'vitest';
import { CairnError, RetryAfterError } from '../errors.ts';
import { createMemoryBacking, createMemoryStore } from '../storage/memory-store.ts';
import type { DurableStore } from '../storage/types.ts';
import { createManualClock } from './clock.ts';
import type { RunEvent } from './events.ts';
import { createRuntime } from './runtime.ts';
import { flush, testBed } from './test-kit.ts';
import { defineWorkflow } from './workflow.ts';

describe('#1 a renewal that fails for another reason than a conflict stops the drive once the lease may be lost', () => {
  it('stops (lease-lost) and starts no further step while the store cannot renew', async () => {
    const backing = createMemoryBacking();
    const inner = createMemoryStore({ backing });
    let renewalsFail = false;
    const store: DurableStore = {
      ...inner,
      name: inner.name,
      limits: inner.limits,
      updateRun: (...args) => {
        if (renewalsFail && args[2].lease?.owner === 'flaky')
          return Promise.reject(new CairnError('storage-unavailable', '[test] backend down', { retryable: true }));
        return inner.updateRun(...args);
      },
    };
    const clock = createManualClock();
    let release!: () => void;
    const calls: string[] = [];
    const wf = defineWorkflow('renew', async (ctx) => {
      await ctx.step('a', () => calls.push('a'));
      await ctx.step('wait', () => new Promise<void>((resolve) => (release = resolve)));
      await ctx.step('b', () => calls.push('b'), { effect: 'once' });
      return 'done';
    });
    const events: RunEvent[] = [];
    const runtime = createRuntime({
      store,
      workflows: [wf],
      clock,
      leaseMs: 1000,
      owner: 'flaky',
      onEvent: (e) => events.push(e),
    });
    await runtime.start(wf, null);
    await flush();
    renewalsFail = true;
    await clock.advance(3000); // renewals fail for three lease lengths
    await flush();
    expect(events.some((e) => e.type === 'lease-lost')).toBe(true);
    release();
    await flush();
    expect(calls).toEqual(['a']);
    await runtime.close();
  });
});

describe('#2 a payload the store refuses fails the request, never wedges the run', () => {
  it('records a step error with a huge message (cut to fit) and the workflow catch runs', async () => {
    const bed = testBed({ maxPayloadBytes: 8_000 });
    const wf = defineWorkflow('huge-error', async (ctx) => {
      try {
        await ctx.step(
          'fetch',
          () => {
            throw new Error(`HTTP 500: ${'<html>body</html>'.repeat(100_000)}`);
          },
          { retry: false },
        );
      } catch (error) {
        return ctx.step('recover', () => `caught ${(error as Error).message.length} chars`);
      }
      return 'unreachable';
    });
    const runtime = bed.runtime({ workflows: [wf] });
    const run = await runtime.start(wf, null);
    expect(await run.result()).toMatch(/^caught \d+ chars$/);
    const history = await runtime.history(run.runId);
    const fail = history.find((h) => h.kind === 'step-fail');
    expect(fail?.error?.message).toContain('more characters cut');
    expect((await runtime.get(run.runId)).status).toBe('completed');
  });

  it('fails the step (not the run) when a result fits the limit but its entry does not', async () => {
    const bed = testBed({ maxPayloadBytes: 10_000 });
    const wf = defineWorkflow('edge', async (ctx) => {
      // `{"v":"xxx…"}` is exactly the limit; the entry adds its metadata and is over.
      const value = 'x'.repeat(10_000 - 8);
      try {
        await ctx.step('edge', () => value, { retry: false });
        return 'recorded';
      } catch (error) {
        return (error as CairnError).code;
      }
    });
    const runtime = bed.runtime({ workflows: [wf] });
    const run = await runtime.start(wf, null);
    expect(await run.result()).toBe('payload-too-large');
  });

  it('fails the run cleanly when the output fits alone but not as a run-end entry', async () => {
    const bed = testBed({ maxPayloadBytes: 10_000 });
    const wf = defineWorkflow('big-output', async () => 'y'.repeat(10_000 - 8));
    const runtime = bed.runtime({ workflows: [wf] });
    const run = await runtime.start(wf, null);
    await expect(run.result()).rejects.toMatchObject({ code: 'run-failed' });
    const info = await runtime.get(run.runId);
    expect(info.status).toBe('failed');
    expect(info.lease).toBeNull();
  });

  it('refuses an oversized approve() to its caller and leaves the live drive running', async () => {
    const bed = testBed({ maxPayloadBytes: 4_000 });
    const wf = defineWorkflow('approve-big', async (ctx) => {
      const decision = await ctx.waitForApproval('go');
      return ctx.step('after', () => decision.approved);
    });
    const runtime = bed.runtime({ workflows: [wf] });
    const run = await runtime.start(wf, null);
    await run.settled();
    await expect(runtime.approve(run.runId, 'go#0', { approved: true, by: 'x'.repeat(10_000) })).rejects.toMatchObject({
      code: 'invalid-argument',
    });
    await expect(
      runtime.approve(run.runId, 'go#0', { approved: true, by: 'ada', data: 'z'.repeat(10_000) }),
    ).rejects.toMatchObject({ code: 'payload-too-large' });
    await runtime.approve(run.runId, 'go#0', { approved: true, by: 'ada' });
    expect(await run.result()).toBe(true);
  });
});

describe('#6 two concurrent approve() calls on the driving runtime', () => {
  it('journals one decision; the second caller gets ApprovalAlreadyDecidedError', async () => {
    const bed = testBed();
    let release!: () => void;
    const wf = defineWorkflow('twice', async (ctx) => {
      // A step in flight keeps the drive live (no pause) while the approval waits.
      const [, decision] = await Promise.all([
        ctx.step('slow', () => new Promise<void>((resolve) => (release = resolve))),
        ctx.waitForApproval('go'),
      ]);
      return decision.by;
    });
    const runtime = bed.runtime({ workflows: [wf] });
    const run = await runtime.start(wf, null);
    await flush();
    const results = await Promise.allSettled([
      runtime.approve(run.runId, 'go#0', { approved: true, by: 'first' }),
      runtime.approve(run.runId, 'go#0', { approved: false, by: 'second' }),
    ]);
    release();
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject({ code: 'approval-already-decided' });
    expect(await run.result()).toBe('first');
    const decisions = (await runtime.history(run.runId)).filter((h) => h.kind === 'approval-decide');
    expect(decisions).toHaveLength(1);
  });
});

describe('#7 invalid durations are refused before anything is journaled', () => {
  const cases: Array<[string, (ctx: Parameters<Parameters<typeof defineWorkflow>[1]>[0]) => Promise<unknown>]> = [
    ['sleep until an invalid Date', (ctx) => ctx.sleep(new Date('next tuesday'))],
    ['sleep NaN', (ctx) => ctx.sleep(Number.NaN)],
    ['sleep Infinity', (ctx) => ctx.sleep(Number.POSITIVE_INFINITY)],
    ['sleep a string', (ctx) => ctx.sleep('1000' as unknown as number)],
    ['signal timeout NaN', (ctx) => ctx.waitForSignal('s', { timeoutMs: Number.NaN })],
    ['signal timeout a string', (ctx) => ctx.waitForSignal('s', { timeoutMs: '5' as unknown as number })],
    ['approval timeout Infinity', (ctx) => ctx.waitForApproval('a', { timeoutMs: Number.POSITIVE_INFINITY })],
    ['approval timeout negative', (ctx) => ctx.waitForApproval('a', { timeoutMs: -1 })],
    ['step timeout NaN', (ctx) => ctx.step('s', () => 1, { timeoutMs: Number.NaN })],
    ['step timeout a string', (ctx) => ctx.step('s', () => 1, { timeoutMs: '10' as unknown as number })],
  ];
  for (const [name, call] of cases) {
    it(`${name}: InvalidArgumentError naming the run; the run fails, nothing recorded for the call`, async () => {
      const bed = testBed();
      const wf = defineWorkflow('durations', async (ctx) => call(ctx));
      const runtime = bed.runtime({ workflows: [wf] });
      const run = await runtime.start(wf, null);
      const error = (await run.result().catch((e: unknown) => e)) as { cause: CairnError };
      expect(error.cause.code).toBe('invalid-argument');
      expect(error.cause.message).toContain(run.runId);
      const history = await runtime.history(run.runId);
      expect(history.map((h) => h.kind)).toEqual(['run-start', 'run-end']);
      expect((await runtime.get(run.runId)).status).toBe('failed');
    });
  }
});

describe('#9 a server Retry-After is capped', () => {
  it('a one-year retry-after ends the step instead of parking the run in memory', async () => {
    const bed = testBed();
    let calls = 0;
    const wf = defineWorkflow('limited', async (ctx) =>
      ctx.step('call', () => {
        calls++;
        throw new RetryAfterError('[test] 429', 31_536_000_000);
      }),
    );
    const runtime = bed.runtime({ workflows: [wf] });
    const run = await runtime.start(wf, null);
    await expect(run.result()).rejects.toMatchObject({ code: 'run-failed' });
    expect(calls).toBe(1);
    expect(bed.clock.pending()).toBe(0);
  });

  it('a retry-after within the cap is honoured', async () => {
    const bed = testBed();
    let calls = 0;
    const wf = defineWorkflow('short', async (ctx) =>
      ctx.step('call', () => {
        calls++;
        if (calls === 1) throw new RetryAfterError('[test] 429', 2_000);
        return 'ok';
      }),
    );
    const runtime = bed.runtime({ workflows: [wf] });
    const run = await runtime.start(wf, null);
    await flush();
    expect(calls).toBe(1);
    await bed.clock.advance(2_000);
    expect(await run.result()).toBe('ok');
  });
});

describe('#13 an idempotency key is bound to its workflow and input', () => {
  it('refuses the same key with another workflow or another input; the same start gets the same run', async () => {
    const bed = testBed();
    const one = defineWorkflow('one', async (_ctx, input: { n: number }) => input.n);
    const two = defineWorkflow('two', async (_ctx, input: { n: number }) => input.n * 2);
    const runtime = bed.runtime({ workflows: [one, two] });
    const first = await runtime.start(one, { n: 1 }, { idempotencyKey: 'order-7' });
    expect(await first.result()).toBe(1);
    const again = await runtime.start(one, { n: 1 }, { idempotencyKey: 'order-7' });
    expect(again.runId).toBe(first.runId);
    await expect(runtime.start(one, { n: 2 }, { idempotencyKey: 'order-7' })).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(runtime.start(two, { n: 1 }, { idempotencyKey: 'order-7' })).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(runtime.start(one, { n: 1 }, { idempotencyKey: '' })).rejects.toMatchObject({ code: 'invalid-argument' });
  });
});

describe('#15 an owner name shared by two live runtimes', () => {
  it('the later taker fences the earlier one: the earlier appends nothing more, the once step runs once, by the taker', async () => {
    const backing = createMemoryBacking();
    const clock = createManualClock();
    const charges: string[] = [];
    // Two instances of one workflow (one per runtime), each holding once between its steps.
    const instance = (who: string) => {
      let held = false;
      let release!: () => void;
      const wf = defineWorkflow('shared-owner', async (ctx) => {
        await ctx.step('first', () => 1);
        if (!held) {
          held = true;
          await new Promise<void>((resolve) => (release = resolve));
        }
        await ctx.step('charge', () => charges.push(who), { effect: 'once' });
        return who;
      });
      return { wf, release: () => release(), held: () => held };
    };
    const one = instance('a');
    const two = instance('b');
    const eventsA: RunEvent[] = [];
    const a = createRuntime({
      store: createMemoryStore({ backing }),
      workflows: [one.wf],
      clock,
      leaseMs: 1000,
      owner: 'worker',
      onEvent: (e) => eventsA.push(e),
    });
    const b = createRuntime({
      store: createMemoryStore({ backing }),
      workflows: [two.wf],
      clock,
      leaseMs: 1000,
      owner: 'worker',
    });
    const run = await a.start(one.wf, null);
    await flush();
    expect(one.held()).toBe(true);
    // Same owner name: B treats the live run as its own and takes it over; both now wait between steps.
    await b.resume(run.runId);
    await flush();
    expect(two.held()).toBe(true);
    one.release(); // the earlier runtime goes on first
    await flush(10);
    two.release();
    expect(await b.handle(run.runId).result()).toBe('b');
    expect(eventsA.some((e) => e.type === 'lease-lost')).toBe(true);
    expect(charges).toEqual(['b']);
    await a.close();
    await b.close();
  });
});
