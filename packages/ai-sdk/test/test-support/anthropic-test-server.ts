/**
 * A local server speaking the Anthropic Messages API for tests (node:http on 127.0.0.1, a random
 * port): `POST /v1/messages`, plain JSON or SSE with the API's own event types (`message_start`,
 * `content_block_start`/`_delta`/`_stop` with `text_delta` and `input_json_delta`, `ping`,
 * `message_delta` with usage, `message_stop`, `error`). It answers from a script (a function of the
 * request body, so a resumed run gets the same replies), records every request, and injects faults
 * on demand: an HTTP status with headers and the API's error body (429, 529, 500…), malformed
 * JSON, a connection cut mid-stream, an in-stream `error` event.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLocal } from '@cairn/test-rigs/local-server';

/** What the script answers. */
export interface ScriptedMessage {
  /** A thinking block before the answer (extended thinking), with its signature. */
  thinking?: { text: string; signature: string };
  text?: string;
  /** `rawInput`: the streamed input JSON text as is (hostile tests), instead of `input` serialized. */
  toolCalls?: Array<{ id: string; name: string; input: object; rawInput?: string }>;
  usage?: { input: number; output: number; cacheRead?: number };
}

/** A fault for the next request (consumed in order). */
export type AnthropicFault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; errorType: string }
  | { kind: 'malformed-json' }
  | { kind: 'cut-stream'; afterEvents: number }
  | { kind: 'stream-error'; errorType: string; afterEvents: number };

/** A request the server received. */
export interface AnthropicRequest {
  index: number;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are inspected freely in tests
  body: any;
  fault?: AnthropicFault['kind'];
  /** The whole answer was written (a completed model call). */
  completed: boolean;
}

/** Options of `createAnthropicTestServer`. */
export interface AnthropicTestServerOptions {
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are inspected freely in tests
  respond(body: any): ScriptedMessage;
  /** Wait before answering each request (ms). */
  delayMs?: number;
  /** Characters per streamed delta (default 5) and the pause between events (default 2 ms). */
  chunkSize?: number;
  chunkDelayMs?: number;
}

/** A running test server. */
export interface AnthropicTestServer {
  /** `http://127.0.0.1:<port>/v1` */
  readonly baseURL: string;
  readonly requests: AnthropicRequest[];
  /** Queue faults for the next requests, one request each. */
  fail(...faults: AnthropicFault[]): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function messageJson(id: string, model: string, reply: ScriptedMessage): object {
  const calls = reply.toolCalls ?? [];
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content: [
      ...(reply.thinking ? [{ type: 'thinking', thinking: reply.thinking.text, signature: reply.thinking.signature }] : []),
      ...(reply.text ? [{ type: 'text', text: reply.text }] : []),
      ...calls.map((c) => ({ type: 'tool_use', id: c.id, name: c.name, input: c.input })),
    ],
    stop_reason: calls.length > 0 ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: usageJson(reply, false),
  };
}

function usageJson(reply: ScriptedMessage, start: boolean): object {
  const u = reply.usage ?? { input: 10, output: 5 };
  return {
    input_tokens: u.input,
    output_tokens: start ? 1 : u.output,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: u.cacheRead ?? 0,
  };
}

function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** The SSE events of a streamed answer, in the API's order. */
function streamEvents(id: string, model: string, reply: ScriptedMessage, size: number): Array<[string, object]> {
  const calls = reply.toolCalls ?? [];
  const events: Array<[string, object]> = [
    [
      'message_start',
      {
        type: 'message_start',
        message: {
          id,
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: usageJson(reply, true),
        },
      },
    ],
  ];
  let index = 0;
  if (reply.thinking) {
    events.push([
      'content_block_start',
      { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '' } },
    ]);
    for (const piece of chunks(reply.thinking.text, size))
      events.push([
        'content_block_delta',
        { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: piece } },
      ]);
    events.push([
      'content_block_delta',
      { type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: reply.thinking.signature } },
    ]);
    events.push(['content_block_stop', { type: 'content_block_stop', index }]);
    index++;
  }
  if (reply.text) {
    events.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }]);
    events.push(['ping', { type: 'ping' }]);
    for (const piece of chunks(reply.text, size))
      events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } }]);
    events.push(['content_block_stop', { type: 'content_block_stop', index }]);
    index++;
  }
  for (const call of calls) {
    events.push([
      'content_block_start',
      { type: 'content_block_start', index, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } },
    ]);
    for (const piece of chunks(call.rawInput ?? JSON.stringify(call.input), size))
      events.push([
        'content_block_delta',
        { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } },
      ]);
    events.push(['content_block_stop', { type: 'content_block_stop', index }]);
    index++;
  }
  const u = reply.usage ?? { input: 10, output: 5 };
  events.push([
    'message_delta',
    {
      type: 'message_delta',
      delta: { stop_reason: calls.length > 0 ? 'tool_use' : 'end_turn', stop_sequence: null },
      usage: { output_tokens: u.output },
    },
  ]);
  events.push(['message_stop', { type: 'message_stop' }]);
  return events;
}

/** Start a server on 127.0.0.1 (a random port). */
export async function createAnthropicTestServer(options: AnthropicTestServerOptions): Promise<AnthropicTestServer> {
  const requests: AnthropicRequest[] = [];
  const faults: AnthropicFault[] = [];
  const size = options.chunkSize ?? 5;
  const pause = options.chunkDelayMs ?? 2;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    if (req.method !== 'POST' || !req.url?.endsWith('/messages')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'Not found' } }));
      return;
    }
    const body = JSON.parse(raw);
    const fault = faults.shift();
    const record: AnthropicRequest = {
      index: requests.length,
      headers: req.headers,
      rawBody: raw,
      body,
      ...(fault ? { fault: fault.kind } : {}),
      completed: false,
    };
    requests.push(record);
    if (options.delayMs) await sleep(options.delayMs);
    const id = `msg_${String(record.index).padStart(4, '0')}`;
    const requestId = { 'request-id': `req_${record.index}` };
    if (fault?.kind === 'status') {
      res.writeHead(fault.status, { 'content-type': 'application/json', ...requestId, ...fault.headers });
      res.end(JSON.stringify({ type: 'error', error: { type: fault.errorType, message: 'Injected by the test server' } }));
      return;
    }
    const reply = options.respond(body);
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json', ...requestId });
      if (fault?.kind === 'malformed-json') res.end('{"id": "msg_x", "type": "message", "content": [');
      else res.end(JSON.stringify(messageJson(id, body.model, reply)));
      record.completed = fault === undefined;
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...requestId });
    const events = streamEvents(id, body.model, reply, size);
    for (let i = 0; i < events.length; i++) {
      if (res.destroyed) return;
      const [event, data] = events[i]!;
      if (fault?.kind === 'cut-stream' && i === fault.afterEvents) {
        res.socket?.destroy();
        return;
      }
      if (fault?.kind === 'stream-error' && i === fault.afterEvents) {
        res.end(
          `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: fault.errorType, message: 'Overloaded' } })}\n\n`,
        );
        return;
      }
      if (fault?.kind === 'malformed-json' && i === 2)
        res.write(`event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{\n\n`);
      else res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      if (pause) await sleep(pause);
    }
    res.end();
    record.completed = fault === undefined && !res.destroyed;
  }

  const server = await listenLocal(handle);
  return {
    baseURL: `http://127.0.0.1:${server.port}/v1`,
    requests,
    fail: (...more) => faults.push(...more),
    close: () => server.close(),
  };
}
