/**
 * A local OpenAI-compatible chat completions server for tests (node:http on 127.0.0.1, a random
 * port). It answers from a script (a function of the request body, so a resumed run gets the same
 * replies as an uninterrupted one), plain or streamed (SSE, with a usage chunk when asked), records
 * every request's body and headers, and injects faults on demand: an HTTP status with headers, a
 * stalled response, malformed JSON, a connection cut mid-stream, a stream that ends unfinished.
 * The server itself (listening, recording, fault queue, pacing, SSE) is `createLocalModelServer`.
 */
import type { LocalModelRequest, LocalModelServer, LocalModelServerPacing } from './local-model-server.ts';
import { createLocalModelServer, splitText, sseFrame } from './local-model-server.ts';

/** What the script answers. */
export interface ScriptedCompletion {
  text?: string;
  toolCalls?: Array<{ id: string; name: string; arguments: string }>;
  /** `cached` and `reasoning` go out as `prompt_tokens_details` / `completion_tokens_details` when given. */
  usage?: { prompt: number; completion: number; cached?: number; reasoning?: number };
  finishReason?: 'stop' | 'tool_calls' | 'length';
}

/** A fault for the next request (consumed in order). */
export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: unknown }
  | { kind: 'stall' }
  | { kind: 'malformed-json' }
  | { kind: 'cut-stream'; afterChunks: number }
  | { kind: 'truncated-stream' };

/** A request the server received. */
export interface RecordedRequest extends LocalModelRequest<Fault['kind']> {
  url: string;
  /** When the request arrived, and whether the client hung up before the response ended. */
  at: number;
  clientClosedEarly: boolean;
}

/** Options of `createOpenAITestServer`; pacing defaults to 6 characters a chunk, 2 ms after each. */
export interface OpenAITestServerOptions extends LocalModelServerPacing {
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are inspected freely in tests
  respond(body: any, request: RecordedRequest): ScriptedCompletion | Promise<ScriptedCompletion>;
  /** A fault for a request when none is queued (e.g. 503 while a flag says the endpoint is down). */
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are inspected freely in tests
  faultFor?(body: any): Fault | undefined;
}

/** A running test server. */
export type OpenAITestServer = LocalModelServer<RecordedRequest, Fault>;

function completionJson(id: string, model: string, reply: ScriptedCompletion): object {
  const toolCalls = reply.toolCalls ?? [];
  return {
    id,
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [
      {
        index: 0,
        logprobs: null,
        finish_reason: reply.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
        message: {
          role: 'assistant',
          content: reply.text ?? null,
          refusal: null,
          ...(toolCalls.length > 0
            ? {
                tool_calls: toolCalls.map((c) => ({
                  id: c.id,
                  type: 'function',
                  function: { name: c.name, arguments: c.arguments },
                })),
              }
            : {}),
        },
      },
    ],
    usage: usageJson(reply),
  };
}

function usageJson(reply: ScriptedCompletion): object {
  const prompt = reply.usage?.prompt ?? 50;
  const completion = reply.usage?.completion ?? 10;
  const cached = reply.usage?.cached;
  const reasoning = reply.usage?.reasoning;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    ...(cached !== undefined ? { prompt_tokens_details: { cached_tokens: cached } } : {}),
    ...(reasoning !== undefined ? { completion_tokens_details: { reasoning_tokens: reasoning } } : {}),
  };
}

/** The SSE events of a streamed reply, without the final `[DONE]`. */
function streamEvents(id: string, model: string, reply: ScriptedCompletion, chunkSize: number, includeUsage: boolean): object[] {
  const base = { id, object: 'chat.completion.chunk', created: 1_700_000_000, model };
  const chunk = (delta: object, finish: string | null = null) => ({
    ...base,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
  });
  const events: object[] = [chunk({ role: 'assistant', content: '' })];
  for (const piece of splitText(reply.text ?? '', chunkSize)) events.push(chunk({ content: piece }));
  (reply.toolCalls ?? []).forEach((call, index) => {
    const half = Math.ceil(call.arguments.length / 2);
    events.push(
      chunk({
        tool_calls: [
          { index, id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments.slice(0, half) } },
        ],
      }),
    );
    events.push(chunk({ tool_calls: [{ index, function: { arguments: call.arguments.slice(half) } }] }));
  });
  events.push(chunk({}, reply.finishReason ?? ((reply.toolCalls ?? []).length > 0 ? 'tool_calls' : 'stop')));
  if (includeUsage) events.push({ ...base, choices: [], usage: usageJson(reply) });
  return events;
}

/**
 * Start a server.
 *
 * @example
 * const server = await createOpenAITestServer({ respond: () => ({ text: 'Hello!' }) });
 * const model = createOpenAIModel({ model: 'test', apiKey: 'sk-test', baseURL: server.baseURL }); // @cairn/core/openai
 */
export function createOpenAITestServer(options: OpenAITestServerOptions): Promise<OpenAITestServer> {
  const chunkSize = options.chunkSize ?? 6;
  return createLocalModelServer<RecordedRequest, Fault>(options, async (exchange) => {
    const { req, res, rawBody } = exchange;
    const parsedBody = rawBody ? JSON.parse(rawBody) : undefined;
    const fault = exchange.takeFault() ?? (parsedBody ? options.faultFor?.(parsedBody) : undefined);
    const recorded = exchange.record({
      index: exchange.index,
      url: req.url ?? '',
      headers: { ...req.headers },
      rawBody,
      body: parsedBody,
      at: Date.now(),
      clientClosedEarly: false,
      ...(fault ? { fault: fault.kind } : {}),
    });
    res.on('close', () => {
      if (!res.writableFinished) recorded.clientClosedEarly = true;
    });
    if (req.method !== 'POST' || !recorded.url.endsWith('/chat/completions')) {
      exchange.sendJson(404, {}, { error: { message: 'not found' } });
      return;
    }
    const requestId = { 'x-request-id': `req_${recorded.index}` };
    if (fault?.kind === 'status') {
      const injected = { error: { message: `injected ${fault.status}`, type: 'injected', code: `http_${fault.status}` } };
      exchange.sendJson(fault.status, { ...requestId, ...fault.headers }, fault.body ?? injected);
      return;
    }
    if (fault?.kind === 'stall') return; // never answer; the client times out or aborts
    await exchange.delay();
    const body = recorded.body;
    const reply = await options.respond(body, recorded);
    const id = `chatcmpl-${recorded.index}`;
    if (!body.stream) {
      if (fault?.kind === 'malformed-json') exchange.sendRawJson(200, requestId, '{"id": "broken", "choices": [');
      else exchange.sendJson(200, requestId, completionJson(id, body.model, reply));
      return;
    }
    const events = streamEvents(id, body.model, reply, chunkSize, body.stream_options?.include_usage === true);
    const frames = events.map((event) => sseFrame(JSON.stringify(event)));
    if (fault?.kind === 'malformed-json') frames[1] = sseFrame('{"choices": [{"delta": ');
    // A truncated stream ends cleanly before the finish reason (and the usage chunk) and [DONE].
    const finishAt = events.length - (body.stream_options?.include_usage ? 2 : 1);
    await exchange.stream(frames, {
      headers: requestId,
      closingFrame: sseFrame('[DONE]'),
      breakAt: (i) =>
        fault?.kind === 'cut-stream' && i === fault.afterChunks
          ? { kind: 'cut' }
          : fault?.kind === 'truncated-stream' && i === finishAt
            ? { kind: 'end' }
            : undefined,
    });
  });
}
