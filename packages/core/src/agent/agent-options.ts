/**
 * Options of `defineAgent`, their defaults and their validation (done once, at definition time).
 */
import type { Backoff, RetryPolicy } from '../engine/retry-policy.ts';
import { assertName } from '../engine/workflow.ts';
import { InvalidArgumentError } from '../errors.ts';
import type { LanguageModel, ToolDefinition } from '../models/language-model.ts';
import { type DefinitionSnapshot, type OnDefinitionChange, snapshotDefinition } from './definition.ts';
import type { AnyTool } from './tool.ts';
import { defaultRedactToolError, type RedactToolError } from './tool-error-redaction.ts';
import { type ResolvedSchema, resolveSchema, type StandardSchemaV1 } from './tool-schema.ts';

/** Options of `defineAgent`. */
export interface DefineAgentOptions<O = string> {
  /** The workflow name runs are recorded under (`^[A-Za-z0-9_.:@/-]{1,100}$`). */
  name: string;
  model: LanguageModel;
  /** The system message. Covered by every request hash; a change is detected on resume (`onDefinitionChange`). */
  instructions?: string;
  tools?: readonly AnyTool[];
  /** A zod schema of the final answer: the model is asked for JSON, which is validated (and re-asked). */
  output?: StandardSchemaV1<unknown, O>;
  /** Model calls per run, re-asks included (default 10). Beyond it the run fails with `MaxTurnsError`. */
  maxTurns?: number;
  /** Pause the run (reason `budget`) before a model call once the run has used `maxTokens`. */
  budget?: { maxTokens: number };
  /** Tool errors in a row (bad arguments, unknown tool, a failing tool) sent back to the model (default 3). */
  maxToolErrors?: number;
  /** Re-asks for a final answer that is empty or fails the output schema (default 2). */
  maxOutputRetries?: number;
  /** Stream model replies as `text-delta` events when the model can (default true). */
  stream?: boolean;
  /** Retries of a model call (default: the runtime's policy). */
  modelRetry?: (Partial<Omit<RetryPolicy, 'backoff'>> & { backoff?: Partial<Backoff> }) | false;
  /** Abort a model call attempt after this many ms (retryable). */
  modelTimeoutMs?: number;
  /**
   * What a tool's error becomes before it is journaled and sent to the model, for tools without
   * their own `redactError` (default `defaultRedactToolError`: known secret shapes stripped, cut to
   * `MAX_TOOL_ERROR_CHARS`). ADR 0067.
   */
  redactToolError?: RedactToolError;
  /**
   * What a run resumed under different instructions, tool definitions or output schema than its
   * recorded turns were made with does (ADR 0101): `'continue'` (default) journals a `change-mark`
   * with the old and new hash and the parts changed, and goes on under the new definition; `'fail'`
   * stops the run with `NonDeterminismError` (resumable once the definition is restored).
   */
  onDefinitionChange?: OnDefinitionChange;
}

/** Options with defaults applied and derived values computed. */
export interface ResolvedAgentOptions<O> {
  name: string;
  model: LanguageModel;
  instructions: string;
  tools: ReadonlyMap<string, AnyTool>;
  definitions: ToolDefinition[];
  output: { validate: ResolvedSchema['validate']; json: Record<string, unknown> } | undefined;
  maxTurns: number;
  budget: number | undefined;
  maxToolErrors: number;
  maxOutputRetries: number;
  stream: boolean;
  modelRetry: DefineAgentOptions<O>['modelRetry'];
  modelTimeoutMs: number | undefined;
  redactToolError: RedactToolError;
  onDefinitionChange: OnDefinitionChange;
  /** Hashes of instructions, tools and output schema (computed once). */
  definition: Promise<DefinitionSnapshot>;
}

function count(value: number | undefined, fallback: number, what: string, agent: string, min = 0): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < min)
    throw new InvalidArgumentError(`[@cairn/core] agent "${agent}": ${what} must be an integer ≥ ${min}`);
  return n;
}

/** Validate options and apply defaults. */
export function resolveAgentOptions<O>(options: DefineAgentOptions<O>): ResolvedAgentOptions<O> {
  assertName(options.name, 'agent');
  const name = options.name;
  if (!options.model || typeof options.model.generate !== 'function')
    throw new InvalidArgumentError(`[@cairn/core] agent "${name}": model must implement LanguageModel (generate)`);
  const tools = new Map<string, AnyTool>();
  for (const t of options.tools ?? []) {
    if (tools.has(t.name)) throw new InvalidArgumentError(`[@cairn/core] agent "${name}": two tools are named "${t.name}"`);
    tools.set(t.name, t);
  }
  const budget = options.budget?.maxTokens;
  if (budget !== undefined && !(Number.isFinite(budget) && budget > 0))
    throw new InvalidArgumentError(`[@cairn/core] agent "${name}": budget.maxTokens must be a number > 0`);
  if (options.redactToolError !== undefined && typeof options.redactToolError !== 'function')
    throw new InvalidArgumentError(`[@cairn/core] agent "${name}": redactToolError must be a function`);
  const onDefinitionChange = options.onDefinitionChange ?? 'continue';
  if (onDefinitionChange !== 'continue' && onDefinitionChange !== 'fail')
    throw new InvalidArgumentError(`[@cairn/core] agent "${name}": onDefinitionChange must be 'continue' or 'fail'`);
  if (options.modelTimeoutMs !== undefined && !(options.modelTimeoutMs > 0))
    throw new InvalidArgumentError(`[@cairn/core] agent "${name}": modelTimeoutMs must be > 0`);
  const instructions = options.instructions ?? '';
  const definitions = [...tools.values()].map((t) => ({ name: t.name, description: t.description, parameters: t.parameters }));
  const output = options.output ? outputSchema(options.output, name) : undefined;
  const definition = snapshotDefinition(instructions, definitions, output?.json ?? null);
  // Awaited by every live model turn; never an unhandled rejection meanwhile.
  definition.catch(() => undefined);
  return {
    name,
    model: options.model,
    instructions,
    tools,
    definitions,
    output,
    maxTurns: count(options.maxTurns, 10, 'maxTurns', name, 1),
    budget,
    maxToolErrors: count(options.maxToolErrors, 3, 'maxToolErrors', name),
    maxOutputRetries: count(options.maxOutputRetries, 2, 'maxOutputRetries', name),
    stream: options.stream ?? true,
    modelRetry: options.modelRetry,
    modelTimeoutMs: options.modelTimeoutMs,
    redactToolError: options.redactToolError ?? defaultRedactToolError,
    onDefinitionChange,
    definition,
  };
}

function outputSchema(schema: unknown, name: string): ResolvedAgentOptions<unknown>['output'] {
  const what = `agent "${name}" output`;
  if (typeof (schema as { '~standard'?: unknown } | null)?.['~standard'] !== 'object')
    throw new InvalidArgumentError(`[@cairn/core] ${what}: expected a Standard Schema (zod, valibot, arktype…)`);
  return resolveSchema(schema, undefined, what);
}
