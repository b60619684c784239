/**
 * `createAISDKModel`: any Vercel AI SDK language model (`@ai-sdk/anthropic`, `@ai-sdk/openai`,
 * `@ai-sdk/google`, `@ai-sdk/openai-compatible`…) as a Cairn `LanguageModel`, generating or
 * streaming, with tool calls, finish reasons, usage (cached and reasoning tokens where the provider
 * reports them), abort and error mapping (ADR 0130).
 *
 * Invariants:
 * - the provider's `doGenerate` / `doStream` are called directly, so the AI SDK never retries: the
 *   engine owns retries, and a retried call is visible in the journal;
 * - nothing returned or thrown holds the provider's headers, request body or free text;
 * - a stream that ends before its `finish` part (or with finish reason `error`/`interrupted`) is a
 *   retryable error, never a truncated answer.
 */
import type { LanguageModelV4, LanguageModelV4CallOptions, LanguageModelV4StreamPart } from '@ai-sdk/provider';
import { InvalidArgumentError, type LanguageModel, type ModelRequest, type ModelResponse } from '@cairn/core';
import { toModelError } from './ai-sdk-errors.ts';
import { AnswerBuilder, toCallOptions, toFinishReason, toUsage } from './ai-sdk-messages.ts';

/** An AI SDK language model of spec v4 or v3 (the shapes Cairn reads are the same). */
export type AISDKLanguageModel = Pick<LanguageModelV4, 'provider' | 'modelId' | 'doGenerate' | 'doStream'> & {
  readonly specificationVersion: 'v4' | 'v3';
};

/** A provider registry (`createProviderRegistry({ anthropic, openai })` from `ai`), or anything that resolves ids. */
export interface AISDKModelRegistry {
  languageModel(id: never): unknown;
}

/** Options of `createAISDKModel`. */
export interface CreateAISDKModelOptions {
  /** Resolves a model string such as `'anthropic:claude-sonnet-4-5'`. */
  registry?: AISDKModelRegistry;
  /** The longest `retry-after` honoured, in ms (default 60 000): a longer ask waits this long. */
  maxRetryAfterMs?: number;
  /** Settings sent with every call: `maxOutputTokens`, `temperature`, `providerOptions`… */
  settings?: Omit<Partial<LanguageModelV4CallOptions>, 'prompt' | 'tools' | 'toolChoice' | 'abortSignal' | 'responseFormat'>;
}

function resolve(model: AISDKLanguageModel | string, options: CreateAISDKModelOptions): AISDKLanguageModel {
  let resolved: unknown = model;
  if (typeof model === 'string') {
    if (!options.registry)
      throw new InvalidArgumentError(
        `[@cairn/ai-sdk] model "${model.slice(0, 80)}": a model string needs a provider registry (createAISDKModel(id, { registry }))`,
      );
    try {
      resolved = options.registry.languageModel(model as never);
    } catch (error) {
      throw new InvalidArgumentError(`[@cairn/ai-sdk] model "${model.slice(0, 80)}": ${(error as Error).message}`.slice(0, 300));
    }
  }
  const m = resolved as Partial<AISDKLanguageModel> | null;
  if (
    typeof m !== 'object' ||
    m === null ||
    typeof m.doGenerate !== 'function' ||
    typeof m.doStream !== 'function' ||
    (m.specificationVersion !== 'v4' && m.specificationVersion !== 'v3')
  ) {
    const version = typeof m === 'object' && m !== null ? String(m.specificationVersion) : typeof m;
    throw new InvalidArgumentError(
      `[@cairn/ai-sdk] createAISDKModel: expected an AI SDK language model of spec v4 or v3, got ${version.slice(0, 40)}`,
    );
  }
  return m as AISDKLanguageModel;
}

/**
 * A Cairn model over an AI SDK language model.
 *
 * @example
 * import { anthropic } from '@ai-sdk/anthropic';
 * const model = createAISDKModel(anthropic('claude-sonnet-4-5'));
 * // or by string, through a registry:
 * const registry = createProviderRegistry({ anthropic, openai });
 * const model = createAISDKModel('anthropic:claude-sonnet-4-5', { registry });
 */
export function createAISDKModel(model: AISDKLanguageModel | string, options: CreateAISDKModelOptions = {}): LanguageModel {
  const provider = resolve(model, options);
  const id = `${provider.provider.split('.')[0]}:${provider.modelId}`;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const settings = (options.settings ?? {}) as Partial<LanguageModelV4CallOptions>;
  const mapping = (signal: AbortSignal) => ({ modelId: id, signal, maxRetryAfterMs });

  async function generate(request: ModelRequest, { signal }: { signal: AbortSignal }): Promise<ModelResponse> {
    let result: Awaited<ReturnType<LanguageModelV4['doGenerate']>>;
    try {
      result = await provider.doGenerate(toCallOptions(request, signal, settings, provider.specificationVersion));
    } catch (error) {
      throw toModelError(error, mapping(signal));
    }
    if (signal.aborted) throw signal.reason;
    const answer = new AnswerBuilder();
    answer.addContent(result.content);
    return {
      message: answer.message(),
      usage: toUsage(result.usage),
      finishReason: toFinishReason(result.finishReason, answer.toolCalls.length > 0, id),
    };
  }

  async function stream(
    request: ModelRequest,
    { signal, onTextDelta }: { signal: AbortSignal; onTextDelta(delta: string): void },
  ): Promise<ModelResponse> {
    const answer = new AnswerBuilder();
    let finish: Extract<LanguageModelV4StreamPart, { type: 'finish' }> | undefined;
    try {
      const { stream: parts } = await provider.doStream(toCallOptions(request, signal, settings, provider.specificationVersion));
      const reader = parts.getReader();
      let ended = false;
      try {
        // Bounded by the provider's stream, which the step's signal aborts.
        for (;;) {
          const { done, value: part } = await reader.read();
          if (done) {
            ended = true;
            break;
          }
          if (part.type === 'text-delta') {
            answer.addText(part.delta);
            if (part.delta) onTextDelta(part.delta);
          } else if (part.type === 'reasoning-start' || part.type === 'reasoning-delta' || part.type === 'reasoning-end')
            answer.addReasoning(part.id, part.type === 'reasoning-delta' ? part.delta : '', part.providerMetadata);
          else if (part.type === 'tool-call') answer.addToolCall(part);
          else if (part.type === 'finish') finish = part;
          else if (part.type === 'error') throw toModelError(part.error, mapping(signal));
        }
      } finally {
        // A call that failed mid-stream lets go of the connection instead of draining it.
        if (ended) reader.releaseLock();
        else void reader.cancel().catch(() => {});
      }
    } catch (error) {
      throw toModelError(error, mapping(signal));
    }
    // An aborted stream may end quietly; an abort is not an answer.
    if (signal.aborted) throw signal.reason;
    return {
      message: answer.message(),
      usage: toUsage(finish?.usage),
      finishReason: toFinishReason(finish?.finishReason, answer.toolCalls.length > 0, id),
    };
  }

  return { id, generate, stream };
}
