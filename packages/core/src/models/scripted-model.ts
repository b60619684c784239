/**
 * `createScriptedModel`: a deterministic `LanguageModel` for tests and offline demos. Replies are a
 * function of the conversation (or a list indexed by turn), so a resumed run gets the same replies
 * as an uninterrupted one — the turn is counted from the request's assistant messages, not from how
 * many times this object was called.
 */
import { InvalidArgumentError, NonRetriableError } from '../errors.ts';
import type {
  AgentMessage,
  FinishReason,
  LanguageModel,
  ModelRequest,
  ModelResponse,
  ModelUsage,
  ToolCall,
} from './language-model.ts';

/** One scripted reply: text, tool calls (arguments as an object, or raw text to script bad JSON), or both. */
export type ScriptedReply =
  | string
  | {
      text?: string;
      toolCalls?: Array<{ name: string; arguments?: unknown; id?: string }>;
      usage?: Partial<ModelUsage>;
      finishReason?: FinishReason;
    };

/** What a script function receives besides the request. */
export interface ScriptInfo {
  /** Assistant messages already in the conversation (0 for the first call of a run). */
  turn: number;
  /** Calls of this model object so far, this one excluded. */
  call: number;
}

/** Replies by turn, or a function of the request. A function may throw to script a failure. */
export type Script =
  | readonly ScriptedReply[]
  | ((request: ModelRequest, info: ScriptInfo) => ScriptedReply | Promise<ScriptedReply>);

/** Options of `createScriptedModel`. */
export interface CreateScriptedModelOptions {
  /** Wait this long before answering (honours the abort signal). */
  delayMs?: number;
  /** Streamed text comes in pieces of this many characters (default 8). */
  chunkSize?: number;
  /** Wait between streamed pieces (default 0). */
  chunkDelayMs?: number;
  /** The model id (default `scripted`). */
  id?: string;
}

/** A scripted model, with what it was asked. */
export interface ScriptedModel extends LanguageModel {
  /** Calls made (not replayed). */
  readonly calls: number;
  /** Every request, in call order. */
  readonly requests: readonly ModelRequest[];
  stream(request: ModelRequest, options: { signal: AbortSignal; onTextDelta(delta: string): void }): Promise<ModelResponse>;
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function characters(messages: readonly AgentMessage[]): number {
  let n = 0;
  for (const m of messages) {
    n += (m.content ?? '').length;
    if (m.role === 'assistant') for (const c of m.toolCalls ?? []) n += c.name.length + c.arguments.length;
  }
  return n;
}

function toResponse(reply: ScriptedReply, request: ModelRequest, turn: number): ModelResponse {
  const spec = typeof reply === 'string' ? { text: reply } : reply;
  const toolCalls: ToolCall[] = (spec.toolCalls ?? []).map((call, i) => ({
    id: call.id ?? `call_${turn}_${i}`,
    name: call.name,
    arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {}),
  }));
  const content = spec.text ?? null;
  const message =
    toolCalls.length > 0 ? { role: 'assistant' as const, content, toolCalls } : { role: 'assistant' as const, content };
  // Deterministic token counts (≈ 4 characters a token) so ledgers and budgets are testable.
  const output = Math.ceil(((content ?? '').length + toolCalls.reduce((n, c) => n + c.arguments.length, 0)) / 4) + 1;
  return {
    message,
    usage: {
      inputTokens: spec.usage?.inputTokens ?? Math.ceil(characters(request.messages) / 4) + 1,
      outputTokens: spec.usage?.outputTokens ?? output,
    },
    finishReason: spec.finishReason ?? (toolCalls.length > 0 ? 'tool-calls' : 'stop'),
  };
}

/**
 * A deterministic model that answers from a script.
 *
 * @example
 * const model = createScriptedModel([
 *   { toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] },
 *   'The sum is 5.',
 * ]);
 */
export function createScriptedModel(script: Script, options: CreateScriptedModelOptions = {}): ScriptedModel {
  const chunkSize = options.chunkSize ?? 8;
  if (!Number.isInteger(chunkSize) || chunkSize < 1)
    throw new InvalidArgumentError('[@cairn/core] createScriptedModel: chunkSize must be an integer ≥ 1');
  const requests: ModelRequest[] = [];
  let calls = 0;

  async function answer(request: ModelRequest, signal: AbortSignal): Promise<ModelResponse> {
    const call = calls++;
    requests.push(request);
    const turn = request.messages.filter((m) => m.role === 'assistant').length;
    await wait(options.delayMs ?? 0, signal);
    let reply: ScriptedReply | undefined;
    if (typeof script === 'function') reply = await script(request, { turn, call });
    else {
      reply = script[turn];
      if (reply === undefined)
        throw new NonRetriableError(
          `[@cairn/core] scripted model: no reply scripted for turn ${turn} (${script.length} scripted)`,
        );
    }
    signal.throwIfAborted();
    return toResponse(reply, request, turn);
  }

  return {
    id: options.id ?? 'scripted',
    get calls() {
      return calls;
    },
    requests,
    generate: (request, { signal }) => answer(request, signal),
    async stream(request, { signal, onTextDelta }) {
      const response = await answer(request, signal);
      const text = response.message.content ?? '';
      for (let i = 0; i < text.length; i += chunkSize) {
        if (i > 0) await wait(options.chunkDelayMs ?? 0, signal);
        onTextDelta(text.slice(i, i + chunkSize));
      }
      return response;
    },
  };
}
