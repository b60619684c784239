/**
 * The `torture-steps` workflow: every kind of step the engine journals, in one run — parallel pure
 * steps, a tight loop of tiny commits (where most kills land mid-commit), a `once` step per
 * in-flight policy (reconcile, retry, fail), a durable sleep, and more commits after the wake.
 * Its output depends only on the input, so an interrupted run must end with the same output as an
 * uninterrupted one.
 */
import { CairnError, defineWorkflow, type StepContext, type Workflow } from '@cairn/core';
import type { Recorder } from './side-effect-files.ts';
import { STEPS_WORKFLOW, type StepsInput } from './workload-specs.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// A tick yields to the event loop once (microseconds): with a synchronous store, steps that never
// yield would commit back to back in microtasks and starve every other run of the process.
const yieldOnce = () => new Promise((resolve) => setImmediate(resolve));

/** A deterministic 32-bit mix, so every tick's result depends on all before it. */
function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 13;
  return h >>> 0;
}

/** The workflow, recording each step execution and side effect through `recorder`. */
export function createStepsWorkflow(recorder: Recorder): Workflow<StepsInput, unknown> {
  // Every step function logs its execution before doing anything else.
  const logged =
    <T>(body: (step: StepContext) => T | Promise<T>) =>
    (step: StepContext): T | Promise<T> => {
      recorder.exec(step.runId, step.stepId, step.attempt, step.idempotencyKey);
      return body(step);
    };
  return defineWorkflow(STEPS_WORKFLOW, async (ctx, input: StepsInput) => {
    const variant = input.variant;
    const cents = 100 * (variant + 1);
    const seed = await ctx.step(
      'seed',
      logged(() => mix(17, variant)),
    );
    const fan = await Promise.all(
      [0, 1, 2].map((i) =>
        ctx.step(
          'fan',
          logged(async () => {
            await pause(1);
            return mix(seed, i);
          }),
        ),
      ),
    );
    let acc = fan.reduce((sum, value) => mix(sum, value), seed);
    for (let i = 0; i < 12 + 4 * variant; i++) {
      const previous = acc;
      acc = await ctx.step(
        'tick',
        logged(async () => {
          await yieldOnce();
          return mix(previous, i);
        }),
      );
    }
    const charge = await ctx.step(
      'charge',
      logged((step) => {
        recorder.ledgerAppend(step.idempotencyKey!, `charge ${step.runId} ${cents}`);
        return { charged: cents };
      }),
      {
        effect: 'once',
        onUnknown: async ({ idempotencyKey }) =>
          recorder.ledgerFind(idempotencyKey) ? { completed: true, result: { charged: cents } } : { completed: false },
      },
    );
    const notice = await ctx.step(
      'notify',
      logged((step) => {
        recorder.outboxAppend(step.idempotencyKey!, `notify ${step.runId}`);
        return { notified: variant };
      }),
      { effect: 'once', onUnknown: 'retry' },
    );
    try {
      await ctx.step(
        'audit',
        logged(() => true),
        { effect: 'once', onUnknown: 'fail' },
      );
    } catch (error) {
      // The policy under test: an audit step whose outcome is unknown is recorded as such and
      // never run again; the run carries on (its output does not depend on the audit).
      if (!CairnError.is(error, 'outcome-unknown')) throw error;
    }
    await ctx.sleep(input.sleepMs ?? 2 + 2 * variant);
    for (let i = 0; i < 4; i++) {
      const previous = acc;
      acc = await ctx.step(
        'tick',
        logged(() => mix(previous, 100 + i)),
      );
    }
    return { acc, charge, notice };
  });
}
