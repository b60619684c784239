import { describe, expect, it } from 'vitest';
import { CairnError, NonRetriableError, RetryAfterError } from '../errors.ts';
import { createMemoryStore } from '../storage/memory-store.ts';
import { createRuntime } from './runtime.ts';
import { flush, testBed } from './test-kit.ts';
import { defineWorkflow } from './workflow.ts';

describe('replay', () => {
  it('returns recorded results and rethrows recorded errors without calling step functions again', async () => {
    const bed = testBed();
    const calls: string[] = [];
    const wf = defineWorkflow('replay', async (ctx, n: number) => {
      const a = await ctx.step('a', () => {
        calls.push('a');
        return { value: n + 1 };
      });
      let caught = '';
      try {
        await ctx.step(
          'boom',
          () => {
            calls.push('boom');
            throw new TypeError('bad input');
          },
          { retry: false },
        );
      } catch (error) {
        caught = `${(error as Error).name}: ${(error as Error).message}`;
      }
      await ctx.waitForSignal('go');
      return { a: a.value, caught };
    });
    const first = bed.runtime({ workflows: [wf], owner: 'first' });
    const run = await first.start(wf, 1);
    expect((await run.settled()).status).toBe('paused');
    await first.close();
    const second = bed.runtime({ workflows: [wf], owner: 'second' });
    await second.signal(run.runId, 'go');
    expect(await second.handle(run.runId).result()).toEqual({ a: 2, caught: 'TypeError: bad input' });
    expect(calls).toEqual(['a', 'boom']);
  });

  it('detects non-determinism: a different step at a recorded position names run, seq and both ids', async () => {
    const bed = testBed();
    let variant = 'a';
    const wf = defineWorkflow('nd', async (ctx) => {
      await ctx.step(variant, () => 1);
      await ctx.waitForSignal('go');
      return 'done';
    });
    const first = bed.runtime({ workflows: [wf] });
    const run = await first.start(wf, null);
    await run.settled();
    await first.close();
    variant = 'b';
    const second = bed.runtime({ workflows: [wf] });
    await second.resume(run.runId);
    const info = await second.handle(run.runId).settled();
    expect(info.status).toBe('failed');
    expect(info.error?.code).toBe('non-determinism');
    expect(info.error?.message).toContain(run.runId);
    expect(info.error?.message).toContain('"a#0"');
    expect(info.error?.message).toContain('"b#0"');
    expect(info.error?.message).toMatch(/seq \d+/);
    // The run is not ended: with the code fixed, it resumes where it was.
    variant = 'a';
    await second.resume(run.runId);
    await second.signal(run.runId, 'go');
    expect(await second.handle(run.runId).result()).toBe('done');
  });

  it('gives parallel steps deterministic ids and records them once each', async () => {
    const bed = testBed();
    const calls: string[] = [];
    // The test decides the completion order (fetch#1, fetch#2, fetch#0): timers of 10/20/30 ms could
    // fire together on a loaded machine, and the order is what this test is about.
    const gates = [0, 1, 2].map(() => {
      let open!: () => void;
      const promise = new Promise<void>((resolve) => (open = resolve));
      return { promise, open };
    });
    const wf = defineWorkflow('parallel', async (ctx) => {
      const results = await Promise.all(
        [0, 1, 2].map((i) =>
          ctx.step('fetch', async (step) => {
            calls.push(step.stepId);
            await gates[i]!.promise;
            return i;
          }),
        ),
      );
      await ctx.waitForSignal('go');
      return results;
    });
    const first = bed.runtime({ workflows: [wf] });
    const run = await first.start(wf, null);
    const ends = async () => (await first.history(run.runId)).filter((h) => h.kind === 'step-end').map((h) => h.key);
    for (const i of [1, 2, 0]) {
      const before = (await ends()).length;
      gates[i]!.open();
      for (let spin = 0; spin < 100 && (await ends()).length === before; spin++) await flush(1);
    }
    await run.settled();
    // Completion order is append order; ids follow call order.
    expect(await ends()).toEqual(['fetch#1', 'fetch#2', 'fetch#0']);
    await first.close();
    const second = bed.runtime({ workflows: [wf] });
    await second.signal(run.runId, 'go');
    expect(await second.handle(run.runId).result()).toEqual([0, 1, 2]);
    expect(calls.sort()).toEqual(['fetch#0', 'fetch#1', 'fetch#2']);
  });

  it('journals now/random/uuid so replay sees the same values', async () => {
    const bed = testBed();
    const wf = defineWorkflow('clocky', async (ctx) => {
      const values = [await ctx.now(), await ctx.random(), await ctx.uuid()];
      await ctx.waitForSignal('go');
      return values;
    });
    const first = bed.runtime({ workflows: [wf] });
    const run = await first.start(wf, null);
    await run.settled();
    const seen = (await first.history(run.runId)).filter((h) => h.kind === 'step-end').map((h) => h.value);
    await first.close();
    await bed.clock.advance(5000);
    const second = bed.runtime({ workflows: [wf], random: () => 0.999 });
    await second.signal(run.runId, 'go');
    expect(await second.handle(run.runId).result()).toEqual(seen);
    expect(typeof seen[2]).toBe('string');
  });

  it('retries with backoff, honours RetryAfterError and stops at NonRetriableError; attempts are recorded', async () => {
    const bed = testBed();
    let flaky = 0;
    let fatal = 0;
    const wf = defineWorkflow('retries', async (ctx) => {
      const value = await ctx.step(
        'flaky',
        () => {
          flaky++;
          if (flaky === 1) throw new Error('transient');
          if (flaky === 2) throw new RetryAfterError('slow down', 5000);
          return 'ok';
        },
        { retry: { maxAttempts: 5, backoff: { initialMs: 100, jitter: 0 } } },
      );
      try {
        await ctx.step('fatal', () => {
          fatal++;
          throw new NonRetriableError('card declined');
        });
      } catch (error) {
        return `${value}/${CairnError.is(error, 'non-retriable')}`;
      }
      return 'unreachable';
    });
    const runtime = bed.runtime({ workflows: [wf] });
    const run = await runtime.start(wf, null);
    await flush();
    expect(flaky).toBe(1);
    await bed.clock.advance(100);
    expect(flaky).toBe(2);
    await bed.clock.advance(4999);
    expect(flaky).toBe(2);
    await bed.clock.advance(1);
    expect(await run.result()).toBe('ok/true');
    expect(fatal).toBe(1);
    const history = await runtime.history(run.runId);
    expect(history.find((h) => h.key === 'flaky#0' && h.kind === 'step-end')?.attempts).toBe(3);
    expect(history.find((h) => h.key === 'fatal#0')?.kind).toBe('step-fail');
    expect(history.find((h) => h.key === 'fatal#0')?.attempts).toBe(1);
  });

  it('a pure step costs one write and a once step two', async () => {
    const bed = testBed();
    const wf = defineWorkflow('writes', async (ctx) => {
      await ctx.step('pure', () => 1);
      await ctx.step('effect', () => 2, { effect: 'once' });
      return 3;
    });
    const runtime = bed.runtime({ workflows: [wf] });
    const run = await runtime.start(wf, null);
    await run.result();
    const kinds = (await runtime.history(run.runId)).map((h) => `${h.kind}:${h.key}`);
    expect(kinds).toEqual(['run-start:run', 'step-end:pure#0', 'step-start:effect#0', 'step-end:effect#0', 'run-end:run']);
  });
});

describe('replay-end', () => {
  it('fires when replay reaches the first unrecorded step, before it runs, with the counts so far', async () => {
    const bed = testBed();
    const seen: string[] = [];
    const wf = defineWorkflow('replay-end', async (ctx) => {
      await ctx.step('a', () => 1);
      await ctx.step('b', () => 2);
      await ctx.waitForSignal('go');
      await ctx.step('c', () => {
        seen.push('c runs');
        return 3;
      });
      return 'done';
    });
    const first = bed.runtime({ workflows: [wf] });
    const run = await first.start(wf, null);
    await run.settled();
    await first.close();
    const second = bed.runtime({
      workflows: [wf],
      onEvent: (event) => {
        if (event.type === 'replay-end') seen.push(`replay-end ${event.replayedSteps}`);
      },
    });
    await second.signal(run.runId, 'go');
    expect(await second.handle(run.runId).result()).toBe('done');
    expect(seen).toEqual(['replay-end 2', 'c runs']);
  });

  it('resumeAll takes a running run whose live lease is its own owner (a restarted process)', async () => {
    const bed = testBed();
    let hang = true;
    const wf = defineWorkflow('own-lease', async (ctx) =>
      ctx.step('x', async () => {
        if (hang) await new Promise(() => {});
        return 'ok';
      }),
    );
    const frozen = { now: () => bed.clock.now(), setTimer: () => ({ cancel() {} }) };
    const before = bed.runtime({ workflows: [wf], owner: 'worker-1', clock: frozen });
    const run = await before.start(wf, null);
    await flush();
    await before.close();
    hang = false;
    const after = bed.runtime({ workflows: [wf], owner: 'worker-1' });
    expect((await after.resumeAll()).resumed).toEqual([run.runId]);
    expect(await after.handle(run.runId).result()).toBe('ok');
  });
});

describe('fairness', () => {
  it('a long run of synchronous steps lets timers of the process fire while it runs', async () => {
    const store = createMemoryStore();
    const wf = defineWorkflow('busy', async (ctx) => {
      for (let i = 0; i < 3000; i++) await ctx.step('tick', () => i);
      return 'done';
    });
    const runtime = createRuntime({ store, workflows: [wf] });
    let stepsWhenTimerFired = -1;
    let steps = 0;
    const run = await runtime.start(wf, null);
    const unsubscribe = (async () => {
      for await (const event of run.events()) if (event.type === 'step-end') steps++;
    })();
    setTimeout(() => {
      stepsWhenTimerFired = steps;
    }, 0);
    expect(await run.result()).toBe('done');
    await unsubscribe;
    await runtime.close();
    expect(steps).toBe(3000);
    expect(stepsWhenTimerFired).toBeGreaterThanOrEqual(0);
    expect(stepsWhenTimerFired).toBeLessThan(3000);
  });
});
