/**
 * `createOpenAIModel`: a `LanguageModel` over the official `openai` package (chat completions with
 * tools, optional streaming). Works wherever `fetch` does: browsers, workerd, Node. `baseURL` makes
 * any OpenAI-compatible server work.
 *
 * Invariants:
 * - the client never retries (`maxRetries: 0`): the engine owns retries, attempts and backoff, so a
 *   retried call is visible in the journal and honours `RetryAfterError`;
 * - the API key and headers live only in the client; nothing this model returns or throws holds them
 *   (the agent journals what it returns, and what it throws when a step fails);
 * - a stream that ends before its finish reason is a retryable error, never a truncated answer.
 */
import type OpenAI from 'openai';
import type { ClientOptions } from 'openai';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import type { LanguageModel, ModelRequest, ModelResponse } from './language-model.ts';
import { type OpenAIErrorClasses, toModelError } from './openai-errors.ts';
import { createStreamAccumulator, fromCompletion, toOpenAIBody } from './openai-messages.ts';

/** Options of `createOpenAIModel`. */
export interface CreateOpenAIModelOptions {
  /** Model name, e.g. `gpt-4o-mini`. */
  model: string;
  /** API key (default: the client's own default, `OPENAI_API_KEY` where an environment exists). Never journaled. */
  apiKey?: string;
  /** Any OpenAI-compatible endpoint, e.g. `http://127.0.0.1:11434/v1`. */
  baseURL?: string;
  /** Bring your own client; it is used through `withOptions({ maxRetries: 0 })`. */
  client?: OpenAI;
  /** Extra headers on every request (e.g. a gateway's auth). Never journaled. */
  headers?: Record<string, string>;
  organization?: string;
  project?: string;
  /** Per-request timeout of the client, in ms (default: the client's, 10 minutes). A timeout is retryable. */
  timeoutMs?: number;
  /** A custom `fetch` (tests, proxies). */
  fetch?: ClientOptions['fetch'];
  /** Allow use from a browser page (your key is then visible to its users: prefer a proxy). */
  dangerouslyAllowBrowser?: boolean;
  /** Extra body parameters sent with every call (`temperature`, `max_completion_tokens`, `seed`…). */
  body?: Record<string, unknown>;
}

/**
 * A language model over OpenAI chat completions.
 *
 * @example
 * const model = createOpenAIModel({ model: 'gpt-4o-mini', apiKey: env.OPENAI_API_KEY });
 * const agent = new Agent({ model, instructions: 'Be brief.', store: createMemoryStore() });
 * const { output } = await agent.run('Hello!');
 */
export function createOpenAIModel(options: CreateOpenAIModelOptions): LanguageModel {
  const name = options.model;
  const base = options.client;
  // The client module is loaded on the first call, not at import: pages and CLIs that never call
  // OpenAI do not pay for parsing it.
  let loading: Promise<{ client: OpenAI; classes: OpenAIErrorClasses }> | undefined;
  const load = () => (loading ??= import('openai').then((module) => ({ client: makeClient(module.default), classes: module })));
  const makeClient = (OpenAIClass: typeof OpenAI): OpenAI =>
    base
      ? base.withOptions({ maxRetries: 0, ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}) })
      : new OpenAIClass({
          maxRetries: 0,
          ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
          ...(options.baseURL !== undefined ? { baseURL: options.baseURL } : {}),
          ...(options.headers !== undefined ? { defaultHeaders: options.headers } : {}),
          ...(options.organization !== undefined ? { organization: options.organization } : {}),
          ...(options.project !== undefined ? { project: options.project } : {}),
          ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
          ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
          ...(options.dangerouslyAllowBrowser ? { dangerouslyAllowBrowser: true } : {}),
        });
  const extra = options.body ?? {};

  async function generate(request: ModelRequest, { signal }: { signal: AbortSignal }): Promise<ModelResponse> {
    const { client, classes } = await load();
    let completion: ChatCompletion;
    try {
      completion = await client.chat.completions.create({ ...toOpenAIBody(request, name, extra), stream: false }, { signal });
    } catch (error) {
      throw toModelError(error, name, signal, classes);
    }
    return fromCompletion(completion, name);
  }

  async function stream(
    request: ModelRequest,
    { signal, onTextDelta }: { signal: AbortSignal; onTextDelta(delta: string): void },
  ): Promise<ModelResponse> {
    const accumulator = createStreamAccumulator(name);
    const { client, classes } = await load();
    try {
      const chunks = await client.chat.completions.create(
        { ...toOpenAIBody(request, name, extra), stream: true, stream_options: { include_usage: true } },
        { signal },
      );
      for await (const chunk of chunks) {
        const delta = accumulator.add(chunk);
        if (delta) onTextDelta(delta);
      }
    } catch (error) {
      throw toModelError(error, name, signal, classes);
    }
    // The client ends an aborted stream quietly; an abort is not an answer.
    if (signal.aborted) throw signal.reason;
    return accumulator.finish();
  }

  return { id: `openai:${name}`, generate, stream };
}
