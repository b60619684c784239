import { describe, expect, it } from 'vitest';
import { testBed } from './test-kit.ts';
import { defineWorkflow } from './workflow.ts';

describe('bad input gets clear errors and loses nothing', () => {
  it('rejects a payload over the store limit, naming run and step, without the payload', async () => {
    const bed = testBed({ maxPayloadBytes: 10_000 });
    const wf = defineWorkflow('big', async (ctx) => {
      await ctx.step('small', () => 'fine');
      return ctx.step('huge', () => 'SECRET'.repeat(5000), { retry: false });
    });
    const runtime = bed.runtime({ workflows: [wf] });
    const run = await runtime.start(wf, null);
    const error = await run.result().catch((e: unknown) => e as Error & { cause?: Error & { code?: string } });
    expect(error).toMatchObject({ code: 'run-failed' });
    const cause = (error as { cause: Error & { code: string } }).cause;
    expect(cause.code).toBe('payload-too-large');
    expect(cause.message).toContain(run.runId);
    expect(cause.message).toContain('huge#0');
    expect(cause.message).not.toContain('SECRET');
    // Nothing lost: the earlier step is still recorded.
    expect((await runtime.history(run.runId)).some((h) => h.key === 'small#0' && h.kind === 'step-end')).toBe(true);
  });

  it('rejects a non-serializable step result, naming the step and the path', async () => {
    const bed = testBed();
    const wf = defineWorkflow('odd', async (ctx) => ctx.step('when', () => ({ at: new Date(0) }), { retry: false }));
    const runtime = bed.runtime({ workflows: [wf] });
    const run = await runtime.start(wf, null);
    const error = (await run.result().catch((e: unknown) => e)) as { cause: Error & { code: string } };
    expect(error.cause.code).toBe('not-serializable');
    expect(error.cause.message).toContain('"when#0"');
    expect(error.cause.message).toContain('value.at is a Date');
  });

  it('rejects invalid run ids everywhere they enter', async () => {
    const bed = testBed();
    const wf = defineWorkflow('ids', async () => 1);
    const runtime = bed.runtime({ workflows: [wf] });
    for (const bad of ['', '../etc/passwd', 'a b', 'x'.repeat(129)]) {
      await expect(runtime.start(wf, null, { runId: bad })).rejects.toMatchObject({ code: 'invalid-run-id' });
      await expect(runtime.get(bad)).rejects.toMatchObject({ code: 'invalid-run-id' });
      await expect(runtime.resume(bad)).rejects.toMatchObject({ code: 'invalid-run-id' });
      await expect(runtime.signal(bad, 'x')).rejects.toMatchObject({ code: 'invalid-run-id' });
      await expect(runtime.cancel(bad)).rejects.toMatchObject({ code: 'invalid-run-id' });
    }
    expect((await runtime.stats()).total).toBe(0);
  });

  it('rejects a non-serializable input before creating anything, and unknown workflows clearly', async () => {
    const bed = testBed();
    const wf = defineWorkflow('inputs', async () => 1);
    const runtime = bed.runtime({ workflows: [wf] });
    await expect(runtime.start(wf, { fn: () => 1 } as unknown as null)).rejects.toMatchObject({ code: 'not-serializable' });
    await expect(runtime.start('missing', null)).rejects.toMatchObject({ code: 'workflow-not-found' });
    expect((await runtime.stats()).total).toBe(0);
  });

  it('start with an idempotency key returns the same run', async () => {
    const bed = testBed();
    let calls = 0;
    const wf = defineWorkflow('idem', async (ctx) => ctx.step('once', () => ++calls));
    const runtime = bed.runtime({ workflows: [wf] });
    const a = await runtime.start(wf, null, { idempotencyKey: 'order-42' });
    await a.result();
    const b = await runtime.start(wf, null, { idempotencyKey: 'order-42' });
    expect(b.runId).toBe(a.runId);
    expect(await b.result()).toBe(1);
    expect(calls).toBe(1);
  });
});
