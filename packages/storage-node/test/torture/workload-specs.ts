/**
 * What the torture harness runs: run specs, their inputs, and the in-flight policy of every step
 * id the workload can produce. Shared by the children (which execute it) and the parent (which
 * checks the outcome), so both agree on what each step is allowed to do after a crash.
 */

/** Workflow names of the workload. */
export const STEPS_WORKFLOW = 'torture-steps';
export const AGENT_WORKFLOW = 'torture-agent';

/** Distinct inputs per workflow (the uninterrupted output is computed once per variant). */
export const VARIANTS = 4;

/** One run the harness starts. */
export interface RunSpec {
  runId: string;
  workflow: typeof STEPS_WORKFLOW | typeof AGENT_WORKFLOW;
  variant: number;
  /** Override of the workflow's durable sleep (the multi-process test parks runs on long sleeps). */
  sleepMs?: number;
}

/** Input of a `torture-steps` run. */
export interface StepsInput {
  variant: number;
  sleepMs?: number;
}

/**
 * What a step may do when a process dies while it runs (its outcome unknown):
 * - `pure`: `effect: 'retry'` (computations, model calls, lookups): executing again is allowed;
 * - `reconcile`: `once` with a reconcile function over the ledger: exactly one ledger line;
 * - `retry`: `once` with `onUnknown: 'retry'`: executed again with the same idempotency key;
 * - `fail`: `once` with `onUnknown: 'fail'`: never executed again; recorded as outcome-unknown.
 */
export type StepPolicy = 'pure' | 'reconcile' | 'retry' | 'fail';

/** The policy of a step id of the workload. */
export function policyOf(stepId: string): StepPolicy {
  if (stepId.startsWith('charge#') || stepId.startsWith('tool:record#')) return 'reconcile';
  if (stepId.startsWith('notify#')) return 'retry';
  if (stepId.startsWith('audit#')) return 'fail';
  return 'pure';
}

/** The input a spec's run starts with. The agent's names its run, so the model can log per run. */
export function inputOf(spec: RunSpec): unknown {
  if (spec.workflow === AGENT_WORKFLOW) return `[${spec.runId}] Record the sales of batch ${spec.variant}.`;
  const input: StepsInput = { variant: spec.variant };
  if (spec.sleepMs !== undefined) input.sleepMs = spec.sleepMs;
  return input;
}

/** The run id named in an agent input (see `inputOf`). */
export function runIdOfAgentInput(text: string): string {
  return /^\[([A-Za-z0-9_-]+)\]/.exec(text)?.[1] ?? 'unknown-run';
}

/** Key of the uninterrupted output a spec must end with. */
export function outputKey(spec: Pick<RunSpec, 'workflow' | 'variant'>): string {
  return `${spec.workflow}/${spec.variant}`;
}

/** Run ids of the torture's slots: `w<slot>r<n>`; a slot's process owns exactly its runs. */
export function slotRunId(slot: number, n: number): string {
  return `w${slot}r${n}`;
}

/** The slot a run id belongs to, or -1. */
export function slotOf(runId: string): number {
  const match = /^w(\d+)r\d+$/.exec(runId);
  return match ? Number(match[1]) : -1;
}
