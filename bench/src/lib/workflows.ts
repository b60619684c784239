/**
 * The workflows the scenarios run. Steps are trivial on purpose: what is measured is the cost of
 * making them durable, not of doing them.
 */
import { defineWorkflow, type Workflow } from '@cairn/core';

/** Input of the step workflows. */
export interface StepsInput {
  steps: number;
  /** `retry` (default): one write per step. `once`: intent + result, two writes. */
  effect?: 'once' | 'retry';
}

/** The step function every scenario uses: returns a small number, does no I/O. */
export function trivialStep(index: number): number {
  return index;
}

/** The same functions as a workflow would call them, in a plain loop with no durability. */
export async function plainLoop(steps: number): Promise<number> {
  let sum = 0;
  for (let index = 0; index < steps; index++) sum += await trivialStep(index);
  return sum;
}

/** `steps` sequential trivial steps named `s`. */
export const stepsWorkflow: Workflow<StepsInput, number> = defineWorkflow('bench-steps', async (ctx, input: StepsInput) => {
  const options = { effect: input.effect ?? 'retry' } as const;
  let sum = 0;
  for (let index = 0; index < input.steps; index++) sum += await ctx.step('s', () => trivialStep(index), options);
  return sum;
});

/**
 * `steps` recorded steps, then a step `next` that calls `onNext` (the resume scenario's finish
 * line: reaching it means the journal was loaded and every recorded step replayed).
 */
export function resumeWorkflow(onNext: () => Promise<number> | number): Workflow<{ steps: number }, number> {
  return defineWorkflow('bench-resume', async (ctx, input: { steps: number }) => {
    let sum = 0;
    for (let index = 0; index < input.steps; index++) sum += await ctx.step('s', () => trivialStep(index));
    return sum + (await ctx.step('next', onNext));
  });
}
