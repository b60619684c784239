/**
 * A local server speaking the Anthropic Messages API for tests (node:http on 127.0.0.1, a random
 * port): `POST /v1/messages`, plain JSON or SSE with the API's own event types (`message_start`,
 * `content_block_start`/`_delta`/`_stop` with `text_delta` and `input_json_delta`, `ping`,
 * `message_delta` with usage, `message_stop`, `error`). It answers from a script (a function of the
 * request body, so a resumed run gets the same replies), records every request, and injects faults
 * on demand: an HTTP status with headers and the API's error body (429, 529, 500…), malformed
 * JSON, a connection cut mid-stream, an in-stream `error` event. The server itself (listening,
 * recording, fault queue, pacing, SSE) is `createLocalModelServer`.
 */
import type { LocalModelRequest, LocalModelServer, LocalModelServerPacing } from '@cairn/test-rigs/local-model-server';
import { createLocalModelServer, splitText, sseFrame } from '@cairn/test-rigs/local-model-server';

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
export interface AnthropicRequest extends LocalModelRequest<AnthropicFault['kind']> {
  /** The whole answer was written (a completed model call). */
  completed: boolean;
}

/** Options of `createAnthropicTestServer`; pacing defaults to 5 characters a delta, 2 ms after each event. */
export interface AnthropicTestServerOptions extends LocalModelServerPacing {
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are inspected freely in tests
  respond(body: any): ScriptedMessage;
}

/** A running test server. */
export type AnthropicTestServer = LocalModelServer<AnthropicRequest, AnthropicFault>;

/** An SSE event of the API: its name, and its data with the name as `type`. */
type StreamEvent = [string, object];
const event = (type: string, fields: object = {}): StreamEvent => [type, { type, ...fields }];

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

/** The SSE events of a streamed answer, in the API's order. */
function streamEvents(id: string, model: string, reply: ScriptedMessage, size: number): StreamEvent[] {
  const calls = reply.toolCalls ?? [];
  const start = { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null };
  const events = [event('message_start', { message: { ...start, usage: usageJson(reply, true) } })];
  let index = 0;
  const block = (contentBlock: object, deltas: object[], ping = false) => {
    events.push(event('content_block_start', { index, content_block: contentBlock }));
    if (ping) events.push(event('ping')); // the API pings after a text block starts
    for (const delta of deltas) events.push(event('content_block_delta', { index, delta }));
    events.push(event('content_block_stop', { index }));
    index++;
  };
  if (reply.thinking) {
    const signature = { type: 'signature_delta', signature: reply.thinking.signature };
    const pieces = splitText(reply.thinking.text, size).map((thinking) => ({ type: 'thinking_delta', thinking }));
    block({ type: 'thinking', thinking: '' }, [...pieces, signature]);
  }
  if (reply.text) {
    block(
      { type: 'text', text: '' },
      splitText(reply.text, size).map((text) => ({ type: 'text_delta', text })),
      true,
    );
  }
  for (const call of calls) {
    const pieces = splitText(call.rawInput ?? JSON.stringify(call.input), size);
    block(
      { type: 'tool_use', id: call.id, name: call.name, input: {} },
      pieces.map((partial_json) => ({ type: 'input_json_delta', partial_json })),
    );
  }
  const u = reply.usage ?? { input: 10, output: 5 };
  const stop = { stop_reason: calls.length > 0 ? 'tool_use' : 'end_turn', stop_sequence: null };
  events.push(event('message_delta', { delta: stop, usage: { output_tokens: u.output } }));
  events.push(event('message_stop'));
  return events;
}

/** Start a server on 127.0.0.1 (a random port). */
export function createAnthropicTestServer(options: AnthropicTestServerOptions): Promise<AnthropicTestServer> {
  const size = options.chunkSize ?? 5;
  return createLocalModelServer<AnthropicRequest, AnthropicFault>(options, async (exchange) => {
    const { req, rawBody } = exchange;
    if (req.method !== 'POST' || !req.url?.endsWith('/messages')) {
      exchange.sendJson(404, {}, { type: 'error', error: { type: 'not_found_error', message: 'Not found' } });
      return;
    }
    const body = JSON.parse(rawBody);
    const fault = exchange.takeFault();
    const record = exchange.record({
      index: exchange.index,
      headers: req.headers,
      rawBody,
      body,
      ...(fault ? { fault: fault.kind } : {}),
      completed: false,
    });
    await exchange.delay();
    const id = `msg_${String(record.index).padStart(4, '0')}`;
    const requestId = { 'request-id': `req_${record.index}` };
    if (fault?.kind === 'status') {
      const error = { type: 'error', error: { type: fault.errorType, message: 'Injected by the test server' } };
      exchange.sendJson(fault.status, { ...requestId, ...fault.headers }, error);
      return;
    }
    const reply = options.respond(body);
    if (!body.stream) {
      if (fault?.kind === 'malformed-json')
        exchange.sendRawJson(200, requestId, '{"id": "msg_x", "type": "message", "content": [');
      else exchange.sendJson(200, requestId, messageJson(id, body.model, reply));
      record.completed = fault === undefined;
      return;
    }
    const frames = streamEvents(id, body.model, reply, size).map(([name, data]) => sseFrame(JSON.stringify(data), name));
    if (fault?.kind === 'malformed-json')
      frames[2] = sseFrame('{"type":"content_block_delta","index":0,"delta":{', 'content_block_delta');
    const overloaded = (errorType: string) =>
      sseFrame(JSON.stringify({ type: 'error', error: { type: errorType, message: 'Overloaded' } }), 'error');
    const written = await exchange.stream(frames, {
      headers: requestId,
      breakAt: (i) =>
        fault?.kind === 'cut-stream' && i === fault.afterEvents
          ? { kind: 'cut' }
          : fault?.kind === 'stream-error' && i === fault.afterEvents
            ? { kind: 'end', frame: overloaded(fault.errorType) }
            : undefined,
    });
    record.completed = fault === undefined && written;
  });
}
