/**
 * `tool()`: a function the model may call, with a schema for its arguments (any Standard Schema —
 * zod, valibot, arktype — or a raw JSON Schema: ADR 0131). Each call that
 * passes validation runs as one journaled step (`tool:<name>#n`), by default `effect: 'once'`: its
 * intent is written before it runs, so a crash mid-call is noticed on resume, never silently redone.
 */
import type { ReconcileContext, ReconcileOutcome } from '../engine/workflow.ts';
import { InvalidArgumentError } from '../errors.ts';
import type { RedactToolError } from './tool-error-redaction.ts';
import { type Checked, resolveSchema, type ToolInputSchema } from './tool-schema.ts';

/** What a tool's `execute` receives besides its input. */
export interface ToolContext {
  readonly runId: string;
  /** The model's id for this call (also its approval id when it needs one, unless the id holds `#`: ADR 0066). */
  readonly callId: string;
  /** Stable across retries and resumes: pass it to APIs that deduplicate (payments, e-mail). */
  readonly idempotencyKey: string;
  /** Aborted when the run is cancelled, the call times out or this process stops driving the run. */
  readonly signal: AbortSignal;
  /** 1 for the first attempt. */
  readonly attempt: number;
}

/**
 * What happens to a call found started but not finished when a run resumes (ADR 0061):
 * - `'report'` (default): the model is told the outcome is unknown and decides (check, retry, ask);
 * - `'retry'`: run it again with the same idempotency key;
 * - `'fail'`: fail the run with `OutcomeUnknownError`;
 * - `'pause'`: pause the run for a human (approve to retry, approve with `data: { result }` to
 *   record a result, reject to report the failure to the model);
 * - a reconcile function that looks the effect up: `{ completed: true, result }` records it,
 *   `{ completed: false }` runs the call again with the same key.
 */
export type ToolOnUnknown<O> =
  | 'report'
  | 'retry'
  | 'fail'
  | 'pause'
  | ((ctx: ReconcileContext & { callId: string }) => Promise<ReconcileOutcome<O>>);

/** Options of `tool()`. */
export interface ToolOptions<I, O> {
  /** `^[A-Za-z0-9_-]{1,64}$`, unique within an agent. */
  name: string;
  description: string;
  /**
   * The arguments' schema; the model sees it as JSON Schema, and its calls are validated with it:
   * a Standard Schema (zod 4, zod 3, valibot, arktype…) or a JSON Schema object (`type: 'object'`).
   */
  input: ToolInputSchema<I>;
  /**
   * The JSON Schema the model sees, for a Standard Schema that cannot convert itself (zod 3, valibot
   * without `toStandardJsonSchema`): e.g. `zodToJsonSchema(schema)`. Calls are still validated with `input`.
   */
  parameters?: Record<string, unknown>;
  execute(input: I, ctx: ToolContext): Promise<O> | O;
  /** Pause for a human before running (`true`, or decide from the validated input). */
  needsApproval?: boolean | ((input: I) => boolean);
  /** An undecided approval expires after this many ms with `approvalDefault` (default: never). */
  approvalTimeoutMs?: number;
  /** The decision taken when an approval expires (default `false`: rejected). */
  approvalDefault?: boolean;
  /** `'once'` (default): a side effect, two writes per call. `'retry'`: pure or idempotent, one write. */
  effect?: 'once' | 'retry';
  onUnknown?: ToolOnUnknown<O>;
  /** Attempts of one call (default: the runtime's policy); the error then goes back to the model. */
  retry?: { maxAttempts?: number; backoff?: { initialMs?: number; factor?: number; maxMs?: number; jitter?: number } } | false;
  /** Abort an attempt after this many ms (a retryable timeout). */
  timeoutMs?: number;
  /**
   * The message kept (journal, events) and sent to the model when `execute` throws (default: the
   * agent's `redactToolError`, else `defaultRedactToolError`). Cut to `MAX_TOOL_ERROR_CHARS`. ADR 0067.
   */
  redactError?: RedactToolError;
}

/** A tool, ready for an agent. */
export interface AgentTool<I = unknown, O = unknown> {
  readonly name: string;
  readonly description: string;
  readonly input: ToolInputSchema<I>;
  /** JSON Schema of the input, as sent to the model. */
  readonly parameters: Record<string, unknown>;
  /** Validate a call's arguments with `input` (synchronous unless the schema is asynchronous). */
  validateInput(value: unknown): Checked | Promise<Checked>;
  readonly effect: 'once' | 'retry';
  readonly onUnknown: ToolOnUnknown<O>;
  readonly approvalTimeoutMs: number | undefined;
  readonly approvalDefault: boolean;
  readonly retry: ToolOptions<I, O>['retry'];
  readonly timeoutMs: number | undefined;
  readonly redactError: RedactToolError | undefined;
  execute(input: I, ctx: ToolContext): Promise<O> | O;
  needsApproval(input: I): boolean;
}

/** A tool of any input and output types, as an agent holds them. */
// biome-ignore lint/suspicious/noExplicitAny: tools of any input and output types
export type AnyTool = AgentTool<any, any>;

const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Define a tool.
 *
 * @example
 * const refund = tool({
 *   name: 'refund',
 *   description: 'Refund an order',
 *   input: z.object({ orderId: z.string(), amount: z.number().positive() }),
 *   needsApproval: ({ amount }) => amount > 100,
 *   execute: ({ orderId, amount }, { idempotencyKey }) => payments.refund(orderId, amount, { idempotencyKey }),
 * });
 */
export function tool<I, O>(options: ToolOptions<I, O>): AgentTool<I, O> {
  if (typeof options.name !== 'string' || !TOOL_NAME.test(options.name)) {
    throw new InvalidArgumentError(
      `[@cairn/core] invalid tool name ${JSON.stringify(String(options.name).slice(0, 80))}: expected 1-64 characters of A-Z a-z 0-9 _ -`,
    );
  }
  if (typeof options.execute !== 'function')
    throw new InvalidArgumentError(`[@cairn/core] tool "${options.name}": execute must be a function`);
  if (options.redactError !== undefined && typeof options.redactError !== 'function')
    throw new InvalidArgumentError(`[@cairn/core] tool "${options.name}": redactError must be a function`);
  if (options.effect !== undefined && options.effect !== 'once' && options.effect !== 'retry')
    throw new InvalidArgumentError(`[@cairn/core] tool "${options.name}": effect must be 'once' or 'retry'`);
  const approval = options.needsApproval ?? false;
  const execute = options.execute;
  const schema = resolveSchema(options.input, options.parameters, `tool "${options.name}"`);
  return {
    name: options.name,
    description: options.description ?? '',
    input: options.input,
    parameters: schema.json,
    validateInput: schema.validate,
    effect: options.effect ?? 'once',
    onUnknown: options.onUnknown ?? 'report',
    approvalTimeoutMs: options.approvalTimeoutMs,
    approvalDefault: options.approvalDefault ?? false,
    retry: options.retry,
    timeoutMs: options.timeoutMs,
    redactError: options.redactError,
    execute: (input, ctx) => execute(input, ctx),
    needsApproval: (input) => (typeof approval === 'function' ? approval(input) : approval),
  };
}
