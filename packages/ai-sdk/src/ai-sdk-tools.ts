/**
 * AI SDK tools (`tool({ description, inputSchema, execute })` from `ai`) as durable Cairn tools
 * (ADR 0131). The input schema reaches the model as the AI SDK would send it; calls are validated
 * by the schema itself when it is a Standard Schema (zod, valibot, arktype), else by the AI SDK
 * schema's `validate`, else by Cairn's JSON Schema check. Cairn's options (`effect`, `onUnknown`,
 * `needsApproval`, `retry`, `timeoutMs`…) go alongside, per tool.
 */
import { asSchema, type FlexibleSchema } from '@ai-sdk/provider-utils';
import {
  type AnyTool,
  InvalidArgumentError,
  type StandardSchemaV1,
  type ToolContext,
  type ToolJsonSchema,
  type ToolOptions,
  tool,
} from '@cairn/core';

/** The parts of an AI SDK tool Cairn uses. */
export interface AISDKTool {
  type?: string;
  description?: unknown;
  inputSchema?: unknown;
  execute?: (...args: never[]) => unknown;
  needsApproval?: unknown;
}

/** Cairn's options for one AI SDK tool. */
export type AISDKToolOptions = Omit<
  ToolOptions<unknown, unknown>,
  'name' | 'description' | 'input' | 'parameters' | 'execute'
> & {
  /** Replaces the tool's description (required when the AI SDK tool's description is a function of context). */
  description?: string;
};

function isStandard(schema: unknown): schema is StandardSchemaV1 {
  const std = (schema as { '~standard'?: { validate?: unknown } } | null)?.['~standard'];
  return typeof std === 'object' && std !== null && typeof std.validate === 'function';
}

/** A Standard Schema over an AI SDK `Schema`'s `validate` (issues from its cause when it has them, never the value). */
function standardOver(validate: (value: unknown) => unknown): StandardSchemaV1 {
  const toResult = (result: { success: boolean; value?: unknown; error?: unknown }) => {
    if (result.success) return { value: result.value };
    const issues = (result.error as { cause?: { issues?: unknown } } | undefined)?.cause?.issues;
    return {
      issues: Array.isArray(issues)
        ? (issues as Array<{ message?: unknown; path?: PropertyKey[] }>).map((i) => ({
            message: String(i.message),
            path: i.path,
          }))
        : [{ message: 'does not match the schema' }],
    };
  };
  return {
    '~standard': {
      version: 1,
      vendor: 'ai-sdk',
      validate: async (value) => toResult((await validate(value)) as { success: boolean }),
    },
  };
}

/** One AI SDK tool as a Cairn tool named `name`. */
export async function fromAISDKTool(name: string, aiTool: AISDKTool, options: AISDKToolOptions = {}): Promise<AnyTool> {
  const what = `[@cairn/ai-sdk] tool "${String(name).slice(0, 64)}"`;
  if (typeof aiTool !== 'object' || aiTool === null) throw new InvalidArgumentError(`${what}: expected an AI SDK tool object`);
  if (aiTool.type === 'provider' || aiTool.type === 'provider-defined')
    throw new InvalidArgumentError(`${what}: a provider-defined tool runs at the provider, not in Cairn`);
  const execute = aiTool.execute;
  if (typeof execute !== 'function')
    throw new InvalidArgumentError(`${what}: the tool has no execute function (client-side tools are not durable tools)`);
  if (options.needsApproval === undefined && aiTool.needsApproval !== undefined && typeof aiTool.needsApproval !== 'boolean')
    throw new InvalidArgumentError(
      `${what}: an AI SDK needsApproval function cannot be journaled; pass needsApproval in Cairn's options`,
    );
  const description = options.description ?? aiTool.description ?? '';
  if (typeof description !== 'string')
    throw new InvalidArgumentError(
      `${what}: a description computed from context changes the agent's definition; pass description in Cairn's options`,
    );
  const schema = asSchema(aiTool.inputSchema as FlexibleSchema);
  const json = (await schema.jsonSchema) as Record<string, unknown>;
  const input = isStandard(aiTool.inputSchema)
    ? aiTool.inputSchema
    : schema.validate
      ? standardOver(schema.validate)
      : (json as ToolJsonSchema);
  return tool<unknown, unknown>({
    ...(typeof aiTool.needsApproval === 'boolean' ? { needsApproval: aiTool.needsApproval } : {}),
    ...options,
    name,
    description,
    input,
    ...(input === json ? {} : { parameters: json }),
    execute: (value: unknown, ctx: ToolContext) =>
      (execute as (input: unknown, options: object) => unknown)(value, {
        toolCallId: ctx.callId,
        messages: [],
        abortSignal: ctx.signal,
        context: undefined,
      }),
  });
}

/**
 * The tools of an AI SDK tool set (`{ name: tool(…) }`) as Cairn tools, with Cairn's options per tool.
 *
 * @example
 * const tools = await fromAISDKTools({ weather }, { weather: { effect: 'retry' } });
 * const agent = new Agent({ model, tools, store });
 */
export async function fromAISDKTools(
  tools: Readonly<Record<string, AISDKTool>>,
  options: Readonly<Record<string, AISDKToolOptions>> = {},
): Promise<AnyTool[]> {
  for (const name of Object.keys(options))
    if (!Object.hasOwn(tools, name))
      throw new InvalidArgumentError(`[@cairn/ai-sdk] options for an unknown tool "${name.slice(0, 64)}"`);
  return Promise.all(Object.entries(tools).map(([name, t]) => fromAISDKTool(name, t, options[name])));
}
