/**
 * Cairn's provider-neutral messages ↔ the AI SDK's language model spec (v4, and v3 which has the
 * same prompt shape). The journal keeps Cairn's messages, never the provider's: one assistant
 * message per turn, whatever the provider.
 */
import type {
  LanguageModelV4CallOptions,
  LanguageModelV4Content,
  LanguageModelV4FilePart,
  LanguageModelV4FunctionTool,
  LanguageModelV4Message,
  LanguageModelV4ReasoningPart,
  LanguageModelV4ToolCallPart,
  LanguageModelV4ToolResultPart,
} from '@ai-sdk/provider';
import {
  type AgentMessage,
  type Attachment,
  type FinishReason,
  ModelError,
  type ModelRequest,
  type ModelUsage,
  type ReasoningPart,
  type ToolCall,
} from '@cairn/core';

/**
 * A tool call's arguments for the provider: the parsed JSON object. Arguments that are not a JSON
 * object (the model wrote broken JSON; Cairn answered with an error) are sent as `{}`: providers
 * such as Anthropic refuse a non-object `input`, which would fail the run on replay.
 */
function toolInput(args: string): unknown {
  try {
    const value: unknown = JSON.parse(args);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

/** An attachment as a file part: spec v4 wraps data and URLs (`{ type: 'data' | 'url' }`), v3 takes them bare. */
function toFilePart(attachment: Attachment, version: 'v4' | 'v3'): LanguageModelV4FilePart {
  const url = attachment.url !== undefined ? new URL(attachment.url) : undefined;
  const data = url
    ? version === 'v4'
      ? { type: 'url' as const, url }
      : url
    : version === 'v4'
      ? { type: 'data' as const, data: attachment.data ?? '' }
      : (attachment.data ?? '');
  return {
    type: 'file',
    mediaType: attachment.mediaType,
    data: data as LanguageModelV4FilePart['data'],
    ...(attachment.filename ? { filename: attachment.filename } : {}),
  };
}

/** The prompt of a Cairn request: consecutive tool results merge into one `tool` message. */
export function toPrompt(messages: readonly AgentMessage[], version: 'v4' | 'v3' = 'v4'): LanguageModelV4Message[] {
  const prompt: LanguageModelV4Message[] = [];
  const toolNames = new Map<string, string>();
  for (const message of messages) {
    if (message.role === 'system') prompt.push({ role: 'system', content: message.content });
    else if (message.role === 'user')
      prompt.push({
        role: 'user',
        content: [...(message.attachments ?? []).map((a) => toFilePart(a, version)), { type: 'text', text: message.content }],
      });
    else if (message.role === 'assistant') {
      const content: Array<{ type: 'text'; text: string } | LanguageModelV4ReasoningPart | LanguageModelV4ToolCallPart> = [];
      // Reasoning goes back first, with the provider's metadata (Anthropic's thinking signature).
      for (const r of message.reasoning ?? [])
        content.push({
          type: 'reasoning',
          text: r.text,
          ...(r.providerMetadata
            ? { providerOptions: r.providerMetadata as LanguageModelV4ReasoningPart['providerOptions'] }
            : {}),
        });
      if (message.content) content.push({ type: 'text', text: message.content });
      for (const call of message.toolCalls ?? []) {
        toolNames.set(call.id, call.name);
        content.push({ type: 'tool-call', toolCallId: call.id, toolName: call.name, input: toolInput(call.arguments) });
      }
      prompt.push({ role: 'assistant', content });
    } else {
      const part: LanguageModelV4ToolResultPart = {
        type: 'tool-result',
        toolCallId: message.toolCallId,
        toolName: toolNames.get(message.toolCallId) ?? 'unknown',
        output: { type: 'text', value: message.content },
      };
      const last = prompt.at(-1);
      if (last?.role === 'tool') last.content.push(part);
      else prompt.push({ role: 'tool', content: [part] });
    }
  }
  return prompt;
}

/** The call options of a Cairn request (tools as function tools, structured output as a JSON format). */
export function toCallOptions(
  request: ModelRequest,
  signal: AbortSignal,
  extra: Partial<LanguageModelV4CallOptions>,
  version: 'v4' | 'v3' = 'v4',
): LanguageModelV4CallOptions {
  const tools: LanguageModelV4FunctionTool[] = request.tools.map((t) => ({
    type: 'function',
    name: t.name,
    description: t.description,
    inputSchema: t.parameters as LanguageModelV4FunctionTool['inputSchema'],
  }));
  return {
    ...extra,
    prompt: toPrompt(request.messages, version),
    ...(tools.length > 0 ? { tools, toolChoice: { type: 'auto' } } : {}),
    ...(request.output
      ? { responseFormat: { type: 'json', schema: request.output.schema as never, name: request.output.name } }
      : {}),
    abortSignal: signal,
  };
}

/** A usage object of spec v4/v3 (`{ total, … }` per side) or v2 (plain numbers). */
type AnyUsage = { inputTokens?: unknown; outputTokens?: unknown; cachedInputTokens?: unknown; reasoningTokens?: unknown };

const count = (n: unknown): number | undefined => (typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined);
const side = (v: unknown, key: string): number | undefined =>
  typeof v === 'object' && v !== null ? count((v as Record<string, unknown>)[key]) : undefined;

/** Cairn's usage from the provider's: totals, plus cached input and reasoning tokens when reported. */
export function toUsage(usage: AnyUsage | undefined): ModelUsage {
  const input = usage?.inputTokens;
  const output = usage?.outputTokens;
  const cached = side(input, 'cacheRead') ?? count(usage?.cachedInputTokens);
  const reasoning = side(output, 'reasoning') ?? count(usage?.reasoningTokens);
  return {
    inputTokens: count(input) ?? side(input, 'total') ?? 0,
    outputTokens: count(output) ?? side(output, 'total') ?? 0,
    ...(cached !== undefined ? { cachedInputTokens: cached } : {}),
    ...(reasoning !== undefined ? { reasoningTokens: reasoning } : {}),
  };
}

/**
 * Cairn's finish reason from the provider's (`{ unified }` in v4/v3, a string in v2). `error` and
 * `interrupted` are not answers: the call fails, retryably.
 */
export function toFinishReason(reason: unknown, hasToolCalls: boolean, modelId: string): FinishReason {
  const unified = typeof reason === 'string' ? reason : (reason as { unified?: unknown } | undefined)?.unified;
  if (unified === 'error' || unified === 'interrupted' || unified === undefined)
    throw new ModelError(
      `[@cairn/ai-sdk] model "${modelId}" ended its answer without a finish reason (${typeof unified === 'string' ? unified : 'none'}): the response is incomplete`,
      { retryable: true },
    );
  if (hasToolCalls) return 'tool-calls';
  if (unified === 'stop' || unified === 'length' || unified === 'content-filter' || unified === 'tool-calls') return unified;
  return 'other';
}

/** Collects an answer's text and tool calls, from generated content or from stream parts. */
export class AnswerBuilder {
  private text = '';
  private sawText = false;
  readonly toolCalls: ToolCall[] = [];
  private readonly reasoning = new Map<string, ReasoningPart>();

  /** Reasoning text (and provider metadata such as a signature) for the part `id`, in order of first sight. */
  addReasoning(id: string, text: string, providerMetadata?: unknown): void {
    const part = this.reasoning.get(id) ?? { text: '' };
    part.text += text;
    if (typeof providerMetadata === 'object' && providerMetadata !== null) {
      const merged: Record<string, Record<string, unknown>> = { ...part.providerMetadata };
      for (const [provider, values] of Object.entries(providerMetadata as Record<string, unknown>))
        if (typeof values === 'object' && values !== null) merged[provider] = { ...merged[provider], ...(values as object) };
      part.providerMetadata = merged;
    }
    this.reasoning.set(id, part);
  }

  addText(text: string): void {
    this.sawText = true;
    this.text += text;
  }

  addToolCall(part: { toolCallId: string; toolName: string; input: unknown; providerExecuted?: boolean }): void {
    // Provider-executed tools (web search…) ran at the provider; Cairn runs only its own.
    if (part.providerExecuted) return;
    const args = typeof part.input === 'string' ? part.input : JSON.stringify(part.input ?? {});
    this.toolCalls.push({ id: part.toolCallId, name: part.toolName, arguments: args === '' ? '{}' : args });
  }

  addContent(content: readonly LanguageModelV4Content[]): void {
    for (const part of content) {
      if (part.type === 'text') this.addText(part.text);
      else if (part.type === 'reasoning') this.addReasoning(String(this.reasoning.size), part.text, part.providerMetadata);
      else if (part.type === 'tool-call') this.addToolCall(part);
    }
  }

  message() {
    return {
      role: 'assistant' as const,
      content: this.sawText && this.text.length > 0 ? this.text : null,
      ...(this.toolCalls.length > 0 ? { toolCalls: this.toolCalls } : {}),
      ...(this.reasoning.size > 0 ? { reasoning: [...this.reasoning.values()] } : {}),
    };
  }
}
