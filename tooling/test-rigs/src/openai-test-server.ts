/**
 * A local OpenAI-compatible chat completions server for tests (node:http on 127.0.0.1, a random
 * port). It answers from a script (a function of the request body, so a resumed run gets the same
 * replies as an uninterrupted one), plain or streamed (SSE, with a usage chunk when asked), records
 * every request's body and headers, and injects faults on demand: an HTTP status with headers, a
 * stalled response, malformed JSON, a connection cut mid-stream, a stream that ends unfinished.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLocal } from './local-server.ts';

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
export interface RecordedRequest {
  index: number;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are inspected freely in tests
  body: any;
  fault?: Fault['kind'];
  /** When the request arrived, and whether the client hung up before the response ended. */
  at: number;
  clientClosedEarly: boolean;
}

/** Options of `createOpenAITestServer`. */
export interface OpenAITestServerOptions {
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are inspected freely in tests
  respond(body: any, request: RecordedRequest): ScriptedCompletion | Promise<ScriptedCompletion>;
  /** A fault for a request when none is queued (e.g. 503 while a flag says the endpoint is down). */
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are inspected freely in tests
  faultFor?(body: any): Fault | undefined;
  /** Wait before answering each request (ms). */
  delayMs?: number;
  /** Characters per streamed text chunk (default 6) and the pause between chunks (default 2 ms). */
  chunkSize?: number;
  chunkDelayMs?: number;
}

/** A running test server. */
export interface OpenAITestServer {
  /** `http://127.0.0.1:<port>/v1` */
  readonly baseURL: string;
  readonly requests: RecordedRequest[];
  /** Queue faults for the next requests, one request each. */
  fail(...faults: Fault[]): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
  const text = reply.text ?? '';
  for (let i = 0; i < text.length; i += chunkSize) events.push(chunk({ content: text.slice(i, i + chunkSize) }));
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
export async function createOpenAITestServer(options: OpenAITestServerOptions): Promise<OpenAITestServer> {
  const requests: RecordedRequest[] = [];
  const faults: Fault[] = [];
  const chunkSize = options.chunkSize ?? 6;
  const chunkDelayMs = options.chunkDelayMs ?? 2;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parts: Buffer[] = [];
    for await (const part of req) parts.push(part as Buffer);
    const rawBody = Buffer.concat(parts).toString('utf8');
    const parsedBody = rawBody ? JSON.parse(rawBody) : undefined;
    const fault = faults.shift() ?? (parsedBody ? options.faultFor?.(parsedBody) : undefined);
    const recorded: RecordedRequest = {
      index: requests.length,
      url: req.url ?? '',
      headers: { ...req.headers },
      rawBody,
      body: parsedBody,
      at: Date.now(),
      clientClosedEarly: false,
      ...(fault ? { fault: fault.kind } : {}),
    };
    requests.push(recorded);
    res.on('close', () => {
      if (!res.writableFinished) recorded.clientClosedEarly = true;
    });
    if (req.method !== 'POST' || !recorded.url.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    if (fault?.kind === 'status') {
      res.writeHead(fault.status, {
        'content-type': 'application/json',
        'x-request-id': `req_${recorded.index}`,
        ...fault.headers,
      });
      res.end(
        JSON.stringify(
          fault.body ?? { error: { message: `injected ${fault.status}`, type: 'injected', code: `http_${fault.status}` } },
        ),
      );
      return;
    }
    if (fault?.kind === 'stall') return; // never answer; the client times out or aborts
    if (options.delayMs) await sleep(options.delayMs);
    const body = recorded.body;
    const reply = await options.respond(body, recorded);
    const id = `chatcmpl-${recorded.index}`;
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': `req_${recorded.index}` });
      res.end(
        fault?.kind === 'malformed-json'
          ? '{"id": "broken", "choices": ['
          : JSON.stringify(completionJson(id, body.model, reply)),
      );
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      'x-request-id': `req_${recorded.index}`,
    });
    const events = streamEvents(id, body.model, reply, chunkSize, body.stream_options?.include_usage === true);
    for (let i = 0; i < events.length; i++) {
      if (res.destroyed) return;
      if (fault?.kind === 'cut-stream' && i === fault.afterChunks) {
        req.socket.destroy(); // the connection dies mid-stream
        return;
      }
      if (fault?.kind === 'truncated-stream' && i === events.length - (body.stream_options?.include_usage ? 2 : 1)) {
        res.end(); // a clean end, but before the finish reason and [DONE]
        return;
      }
      const data = fault?.kind === 'malformed-json' && i === 1 ? '{"choices": [{"delta": ' : JSON.stringify(events[i]);
      res.write(`data: ${data}\n\n`);
      if (chunkDelayMs > 0) await sleep(chunkDelayMs);
    }
    res.end('data: [DONE]\n\n');
  }

  const server = await listenLocal(handle);
  return {
    baseURL: `http://127.0.0.1:${server.port}/v1`,
    requests,
    fail: (...more) => faults.push(...more),
    close: () => server.close(),
  };
}
