/**
 * The model interface the agent layer calls, and the provider-neutral messages it speaks. Kept
 * small on purpose: `generate` is required, `stream` is a capability. Every value here is plain
 * JSON, because assistant messages are journaled as they are and replayed into the conversation.
 */

/** A tool call the model asked for. `arguments` is the raw JSON text the model produced. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * A reasoning part the model wrote before its answer (ADR 0134). `providerMetadata` is the
 * provider's opaque data needed to send it back (Anthropic's thinking `signature` or
 * `redactedData`), kept as the provider gave it.
 */
export interface ReasoningPart {
  text: string;
  providerMetadata?: Record<string, Record<string, unknown>>;
}

/** A message the model wrote: text, tool calls, or both (and reasoning, from models that show it). */
export interface AssistantMessage {
  role: 'assistant';
  content: string | null;
  toolCalls?: ToolCall[];
  reasoning?: ReasoningPart[];
}

/**
 * An image or file sent with a user message (ADR 0134): inline as base64 `data` (journaled with the
 * run's input, so within the store's payload limit) or by `url` (only the URL is journaled).
 * Exactly one of `data` and `url`.
 */
export interface Attachment {
  type: 'image' | 'file';
  /** IANA media type, e.g. `image/png`, `application/pdf`. */
  mediaType: string;
  /** Base64 (no `data:` prefix). */
  data?: string;
  /** `https:` (or `http:`) URL the provider fetches. */
  url?: string;
  filename?: string;
}

/** One message of a conversation. */
export type AgentMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string; attachments?: Attachment[] }
  | AssistantMessage
  | { role: 'tool'; toolCallId: string; content: string };

/** A tool as the model sees it: name, description and a JSON Schema of its arguments. */
export interface ToolDefinition {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** What a model is asked. */
export interface ModelRequest {
  messages: readonly AgentMessage[];
  tools: readonly ToolDefinition[];
  /** Ask for a final reply that is JSON matching `schema` (structured output). */
  output?: { name: string; schema: Record<string, unknown> };
}

/** Tokens a call consumed. */
export interface ModelUsage {
  inputTokens: number;
  outputTokens: number;
  /** Of `inputTokens`, those read from the provider's prompt cache (when the provider reports it). */
  cachedInputTokens?: number;
  /** Of `outputTokens`, those spent on reasoning (when the provider reports it). */
  reasoningTokens?: number;
}

/** Why the model stopped. */
export type FinishReason = 'stop' | 'tool-calls' | 'length' | 'content-filter' | 'other';

/** What a model answered. */
export interface ModelResponse {
  message: AssistantMessage;
  usage: ModelUsage;
  finishReason: FinishReason;
}

/** Options of one call. */
export interface GenerateOptions {
  /** Aborted when the run is cancelled, the step times out or the runtime stops driving the run. */
  signal: AbortSignal;
}

/** Options of one streamed call. */
export interface StreamOptions extends GenerateOptions {
  /** Called with each piece of text as it arrives (not journaled; only the final message is). */
  onTextDelta(delta: string): void;
}

/**
 * A language model. Implementations throw `ModelError` (with `retryable`), `RetryAfterError` for
 * rate limits, or the signal's reason when aborted; the engine owns retries, so implementations
 * must not retry on their own.
 */
export interface LanguageModel {
  /** A readable id such as `openai:gpt-4o-mini` (never a credential). */
  readonly id: string;
  generate(request: ModelRequest, options: GenerateOptions): Promise<ModelResponse>;
  /** Optional: the same call, streaming text deltas while it runs. Resolves with the final message. */
  stream?(request: ModelRequest, options: StreamOptions): Promise<ModelResponse>;
}
