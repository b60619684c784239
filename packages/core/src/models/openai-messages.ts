/**
 * Translation between Cairn's provider-neutral messages and OpenAI chat completions: the request
 * body, a complete reply, and a streamed reply accumulated chunk by chunk.
 *
 * A reply that does not have the shape of a chat completion (no choice, a tool call without a
 * name) is a malformed response: a retryable `ModelError`, never a crash and never a half-parsed
 * message in the journal.
 */
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionContentPart,
  ChatCompletionCreateParamsBase,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';
import { ModelError } from '../errors.ts';
import type {
  AgentMessage,
  AssistantMessage,
  Attachment,
  FinishReason,
  ModelRequest,
  ModelResponse,
  ModelUsage,
  ToolCall,
} from './language-model.ts';

/** Tokens of a completion, with cached input and reasoning tokens when the server reports them. */
function usageOf(usage: CompletionUsage | null | undefined): ModelUsage {
  const cached = usage?.prompt_tokens_details?.cached_tokens;
  const reasoning = usage?.completion_tokens_details?.reasoning_tokens;
  return {
    inputTokens: usage?.prompt_tokens ?? 0,
    outputTokens: usage?.completion_tokens ?? 0,
    ...(typeof cached === 'number' ? { cachedInputTokens: cached } : {}),
    ...(typeof reasoning === 'number' ? { reasoningTokens: reasoning } : {}),
  };
}

/** The body of a chat completion request (without `stream`). */
export function toOpenAIBody(
  request: ModelRequest,
  model: string,
  extra: Record<string, unknown>,
): ChatCompletionCreateParamsBase {
  const body: ChatCompletionCreateParamsBase = { ...extra, model, messages: request.messages.map(toOpenAIMessage) };
  if (request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      type: 'function' as const,
      function: { name: tool.name, description: tool.description, parameters: tool.parameters },
    }));
  }
  if (request.output) {
    body.response_format = {
      type: 'json_schema',
      json_schema: { name: request.output.name, schema: request.output.schema, strict: false },
    };
  }
  return body;
}

/** An attachment as a chat completions content part: images inline or by URL, files inline only. */
function toOpenAIPart(attachment: Attachment): ChatCompletionContentPart {
  const dataUrl = attachment.data !== undefined ? `data:${attachment.mediaType};base64,${attachment.data}` : undefined;
  if (attachment.type === 'image') return { type: 'image_url', image_url: { url: dataUrl ?? attachment.url ?? '' } };
  if (dataUrl === undefined)
    throw new ModelError('[@cairn/core] OpenAI chat completions take files inline only (data), not by url', { retryable: false });
  return { type: 'file', file: { file_data: dataUrl, ...(attachment.filename ? { filename: attachment.filename } : {}) } };
}

function toOpenAIMessage(message: AgentMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
      return { role: message.role, content: message.content };
    case 'user':
      if (!message.attachments || message.attachments.length === 0) return { role: 'user', content: message.content };
      return { role: 'user', content: [...message.attachments.map(toOpenAIPart), { type: 'text', text: message.content }] };
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
    case 'assistant':
      return {
        role: 'assistant',
        content: message.content,
        ...(message.toolCalls && message.toolCalls.length > 0
          ? {
              tool_calls: message.toolCalls.map((call) => ({
                id: call.id,
                type: 'function' as const,
                function: { name: call.name, arguments: call.arguments },
              })),
            }
          : {}),
      };
  }
}

function finishReasonOf(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content-filter';
    default:
      return 'other';
  }
}

function malformed(model: string, what: string): ModelError {
  return new ModelError(`[@cairn/core] model "${model}" returned a malformed response (${what})`, { retryable: true });
}

function assistant(content: string | null, toolCalls: ToolCall[]): AssistantMessage {
  return toolCalls.length > 0 ? { role: 'assistant', content, toolCalls } : { role: 'assistant', content };
}

/** The response of a complete (non-streamed) chat completion. */
export function fromCompletion(completion: ChatCompletion | undefined, model: string): ModelResponse {
  const choice = completion?.choices?.[0];
  if (!choice?.message) throw malformed(model, 'no choice');
  const toolCalls: ToolCall[] = [];
  for (const call of choice.message.tool_calls ?? []) {
    if (call.type === 'function' && typeof call.function?.name === 'string') {
      toolCalls.push({ id: call.id, name: call.function.name, arguments: call.function.arguments ?? '' });
    } else if (call.type === 'custom' && typeof call.custom?.name === 'string') {
      toolCalls.push({ id: call.id, name: call.custom.name, arguments: call.custom.input ?? '' });
    } else {
      throw malformed(model, 'a tool call without a name');
    }
  }
  const content = choice.message.content ?? choice.message.refusal ?? null;
  return {
    message: assistant(typeof content === 'string' ? content : null, toolCalls),
    usage: usageOf(completion?.usage),
    finishReason: finishReasonOf(choice.finish_reason),
  };
}

/** Accumulates streamed chunks into one response. */
export interface StreamAccumulator {
  /** Add a chunk; returns the text delta it carried ('' when none). */
  add(chunk: ChatCompletionChunk): string;
  /** The final response; throws a retryable error when the stream ended before it finished. */
  finish(): ModelResponse;
}

/** Start accumulating a streamed reply. */
export function createStreamAccumulator(model: string): StreamAccumulator {
  let text = '';
  let sawText = false;
  let finish: string | null = null;
  let usage: ModelUsage = { inputTokens: 0, outputTokens: 0 };
  const calls = new Map<number, { id: string; name: string; arguments: string }>();
  return {
    add(chunk) {
      if (chunk.usage) usage = usageOf(chunk.usage);
      const choice = chunk.choices?.[0];
      if (!choice) return '';
      if (choice.finish_reason) finish = choice.finish_reason;
      const delta = choice.delta;
      for (const part of delta?.tool_calls ?? []) {
        const call = calls.get(part.index) ?? { id: '', name: '', arguments: '' };
        if (part.id) call.id = part.id;
        if (part.function?.name) call.name += part.function.name;
        if (part.function?.arguments) call.arguments += part.function.arguments;
        calls.set(part.index, call);
      }
      const piece = delta?.content ?? delta?.refusal ?? '';
      if (typeof piece === 'string' && piece.length > 0) {
        text += piece;
        sawText = true;
        return piece;
      }
      return '';
    },
    finish() {
      // A stream cut before its finish_reason is a truncated reply, not an answer.
      if (finish === null) throw malformed(model, 'the stream ended before the reply finished');
      const toolCalls = [...calls.entries()]
        .sort(([a], [b]) => a - b)
        .map(([, call]) => {
          if (!call.name || !call.id) throw malformed(model, 'a streamed tool call without a name or id');
          return call;
        });
      return { message: assistant(sawText ? text : null, toolCalls), usage, finishReason: finishReasonOf(finish) };
    },
  };
}
