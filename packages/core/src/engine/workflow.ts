/**
 * Workflows: deterministic async functions over a `WorkflowContext`. Everything non-deterministic
 * or side-effecting goes through `ctx` so it is journaled and replayed.
 */

import { InvalidArgumentError } from '../errors.ts';
import type { RunUsage } from '../storage/types.ts';
import type { RunEvent } from './events.ts';
import type { StepUsage } from './journal-format.ts';
import type { Backoff, RetryPolicy } from './retry-policy.ts';

/** What a step function receives. */
export interface StepContext {
  readonly runId: string;
  readonly stepId: string;
  /** `${runId}:${seq}` of the step's intent; stable across retries and resumes. `once` steps only. */
  readonly idempotencyKey: string | undefined;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Aborted when the run is cancelled, the lease is lost or the step times out. */
  readonly signal: AbortSignal;
  /** Emit a non-journaled event (e.g. streamed text). */
  emit(event: { type: 'text-delta'; delta: string } | { type: 'custom'; name: string; data: unknown }): void;
}

/** What a reconcile function receives when an `effect: 'once'` step's outcome is unknown. */
export interface ReconcileContext {
  readonly runId: string;
  readonly stepId: string;
  readonly idempotencyKey: string;
  readonly signal: AbortSignal;
}

/** The verdict of a reconcile function. */
export type ReconcileOutcome<T> = { completed: true; result: T } | { completed: false };

/** What happens to an `effect: 'once'` step found started but not ended on resume. */
export type OnUnknown<T> = 'retry' | 'fail' | 'pause' | ((ctx: ReconcileContext) => Promise<ReconcileOutcome<T>>);

/** Options of `ctx.step`. */
export interface StepOptions<T> {
  /**
   * `'retry'` (default): pure or idempotent; one write (the result). `'once'`: a side effect that
   * must not run twice unnoticed; an intent is written first (two writes) and `onUnknown` decides.
   */
  effect?: 'once' | 'retry';
  /** Policy for an in-flight `once` step on resume (default `'fail'`). */
  onUnknown?: OnUnknown<T>;
  /** Retries of this step (`false` = a single attempt). */
  retry?: (Partial<Omit<RetryPolicy, 'backoff'>> & { backoff?: Partial<Backoff> }) | false;
  /** Abort an attempt after this many ms (the attempt fails with a retryable timeout). */
  timeoutMs?: number;
  /** Token usage of the result, recorded with it (model calls). */
  usage?: (result: T) => StepUsage | undefined;
  /**
   * A short text recorded with the step's outcome (at most 256 characters), shown in histories and
   * UIs: what this call served. Replay never matches on it. The agent records the model's tool
   * call id here, so a tool's output is paired with its call.
   */
  label?: string;
}

/** Longest `label` a step may carry (UTF-16 code units). */
export const MAX_STEP_LABEL = 256;

/** Options of `ctx.waitForSignal`. */
export interface WaitForSignalOptions {
  /** Give up after this many ms (durable): the wait throws `SignalTimeoutError`. */
  timeoutMs?: number;
}

/** Options of `ctx.waitForApproval`. */
export interface WaitForApprovalOptions {
  /** The approval id users pass to `approve` (default: the wait's step id). */
  id?: string;
  /** Anything the approver should see (journaled). */
  details?: unknown;
  /** Expire after this many ms with `defaultDecision`. */
  timeoutMs?: number;
  defaultDecision?: boolean;
  /** Pause reason shown while waiting (default `approval`). */
  reason?: 'approval' | 'manual' | 'budget';
}

/** A recorded human decision. */
export interface ApprovalDecision<T = unknown> {
  approvalId: string;
  approved: boolean;
  by: string;
  reason?: string;
  at: number;
  data?: T;
}

/** The context a workflow runs with. */
export interface WorkflowContext {
  readonly runId: string;
  readonly workflow: string;
  /** Aborted when the run is cancelled or this runtime stops driving it. */
  readonly signal: AbortSignal;
  /** Run `fn` once; on replay return (or rethrow) what was recorded. */
  step<T>(name: string, fn: (ctx: StepContext) => Promise<T> | T, options?: StepOptions<T>): Promise<T>;
  /** Journaled wall-clock time. */
  now(): Promise<number>;
  /** Journaled `Math.random()`. */
  random(): Promise<number>;
  /** Journaled UUID v4. */
  uuid(): Promise<string>;
  /** Durable sleep: the run pauses and is woken at the time (by this runtime, `resumeAll` or an alarm). */
  sleep(duration: number | Date): Promise<void>;
  /** Wait for `runtime.signal(runId, name, payload)`; a signal sent before the wait is not lost. */
  waitForSignal<T = unknown>(name: string, options?: WaitForSignalOptions): Promise<T>;
  /** Pause until a human decides via `runtime.approve(runId, id, decision)`. */
  waitForApproval<T = unknown>(name: string, options?: WaitForApprovalOptions): Promise<ApprovalDecision<T>>;
  /** Usage totals of the run so far (including replayed steps). */
  usage(): RunUsage;
  /** Emit a non-journaled event. */
  emit(event: { type: 'text-delta'; stepId: string; delta: string } | { type: 'custom'; name: string; data: unknown }): void;
  /** True while the workflow is re-executing recorded steps. */
  readonly replaying: boolean;
  /**
   * A versioned change (ADR 0102): true when the run takes the new code path, false when it keeps
   * the old one because it went past this point before the change was deployed. Decided the first
   * time a run asks (journaled as a `change-mark` when true). Retire the patch — delete the call and
   * keep the new path — once `cairn check-replay` says no run takes the old path.
   *
   * @example
   * if (await ctx.patched('send-receipt')) await ctx.step('receipt', () => mail(order), { effect: 'once' });
   */
  patched(patchId: string): Promise<boolean>;
}

/** A named workflow. */
export interface Workflow<I = unknown, O = unknown> {
  readonly name: string;
  readonly fn: (ctx: WorkflowContext, input: I) => Promise<O>;
  /** Called for every event of this workflow's runs (e.g. the agent layer's ledger). */
  readonly onEvent?: (event: RunEvent) => void;
}

const NAME = /^[A-Za-z0-9_.:@/-]{1,100}$/;

/** Throw unless `name` is a valid workflow or step name. */
export function assertName(name: string, what: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new InvalidArgumentError(
      `[@cairn/core] invalid ${what} name ${JSON.stringify(String(name).slice(0, 120))}: expected 1-100 characters of A-Z a-z 0-9 _ . : @ / -`,
    );
  }
}

/**
 * Define a workflow.
 *
 * @example
 * const greet = defineWorkflow('greet', async (ctx, name: string) => {
 *   const greeting = await ctx.step('compose', () => `Hello, ${name}!`);
 *   await ctx.step('send', () => mailer.send(greeting), { effect: 'once' });
 *   return greeting;
 * });
 */
export function defineWorkflow<I, O>(name: string, fn: (ctx: WorkflowContext, input: I) => Promise<O>): Workflow<I, O> {
  assertName(name, 'workflow');
  return { name, fn };
}
