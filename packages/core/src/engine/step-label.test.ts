// A step's `label` option: recorded with its outcome, shown in the history, never matched by replay,
// and refused by name when it is not a short string.
import { describe, expect, it } from 'vitest';
import { testBed } from './test-kit.ts';
import { defineWorkflow, MAX_STEP_LABEL } from './workflow.ts';

describe('step labels', () => {
  it('records the label with a result and with a final failure, and replay neither matches on it nor runs the step again', async () => {
    const bed = testBed();
    let label = 'call_1';
    let runs = 0;
    const wf = defineWorkflow('labels', async (ctx) => {
      const value = await ctx.step(
        'lookup',
        () => {
          runs++;
          return 42;
        },
        { label },
      );
      const failure = await ctx
        .step(
          'refuse',
          () => {
            throw new Error('no');
          },
          { label: `${label}-fail`, retry: false },
        )
        .catch((error: Error) => error.message);
      await ctx.waitForSignal('go');
      return [value, failure];
    });
    const first = bed.runtime({ workflows: [wf] });
    const run = await first.start(wf, null);
    await run.settled();
    await first.close();
    const history = await first.history(run.runId);
    expect(
      history.filter((item) => item.kind === 'step-end' || item.kind === 'step-fail').map((item) => [item.key, item.label]),
    ).toEqual([
      ['lookup#0', 'call_1'],
      ['refuse#0', 'call_1-fail'],
    ]);

    // New code passes other labels: replay answers from the journal by step id, the step does not run again.
    label = 'call_2';
    const second = bed.runtime({ workflows: [wf] });
    await second.resume(run.runId);
    await second.signal(run.runId, 'go');
    expect(await second.handle(run.runId).result()).toEqual([42, 'no']);
    expect(runs).toBe(1);
    expect((await second.history(run.runId)).find((item) => item.key === 'lookup#0' && item.kind === 'step-end')?.label).toBe(
      'call_1',
    );
  });

  it('keeps a hostile label as text: quotes, escapes and a fake "sg" key are not read as journal fields', async () => {
    const bed = testBed();
    const hostile = '","sg":7,"l":"x\u001b[31m\u0000\u202e';
    const wf = defineWorkflow('hostile-label', async (ctx) => {
      await ctx.step('a', () => 'value', { label: hostile });
      await ctx.waitForSignal('go');
      return ctx.step('b', () => 'after');
    });
    const first = bed.runtime({ workflows: [wf] });
    const run = await first.start(wf, null);
    await run.settled();
    await first.close();
    const second = bed.runtime({ workflows: [wf] });
    await second.resume(run.runId);
    await second.signal(run.runId, 'go');
    expect(await second.handle(run.runId).result()).toBe('after');
    const item = (await second.history(run.runId)).find((entry) => entry.key === 'a#0' && entry.kind === 'step-end');
    expect(item?.label).toBe(hostile);
    expect(item?.value).toBe('value');
  });

  it('refuses a label that is not a string of at most 256 characters, naming run and step, before the step runs', async () => {
    const bed = testBed();
    const ran: string[] = [];
    for (const bad of [42, null, 'x'.repeat(MAX_STEP_LABEL + 1)]) {
      const wf = defineWorkflow(`bad-label-${typeof bad}-${String(bad).length}`, async (ctx) => {
        await ctx.step('before', () => ran.push('before'));
        return ctx.step('labelled', () => ran.push('labelled'), { label: bad as unknown as string });
      });
      const runtime = bed.runtime({ workflows: [wf] });
      const run = await runtime.start(wf, null);
      const error = (await run.result().catch((e: unknown) => e)) as { cause: Error & { code: string } };
      expect(error.cause.code).toBe('invalid-argument');
      expect(error.cause.message).toContain(run.runId);
      expect(error.cause.message).toContain('label of step "labelled"');
      // Nothing lost: the earlier step is recorded; the labelled one never ran.
      expect((await runtime.history(run.runId)).some((h) => h.key === 'before#0' && h.kind === 'step-end')).toBe(true);
    }
    expect(ran).toEqual(['before', 'before', 'before']);
    // The longest allowed label is fine.
    const ok = defineWorkflow('long-label', async (ctx) => ctx.step('s', () => 1, { label: 'y'.repeat(MAX_STEP_LABEL) }));
    const runtime = bed.runtime({ workflows: [ok] });
    expect(await (await runtime.start(ok, null)).result()).toBe(1);
  });
});
