// The AI SDK UI message stream of agent runs through `@ai-sdk/openai` against a local chat
// completions server, on a SQLite file: rebuilt from the journal (the same chunks on every read),
// followed live with the model's text deltas, ended at an approval pause, and served over node:http
// to the AI SDK's own client (`DefaultChatTransport.reconnectToStream` + `readUIMessageStream`).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CairnError } from '@cairn/core';
import { createOpenAITestServer, type OpenAITestServer } from '@cairn/test-rigs/openai-test-server';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { DefaultChatTransport } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openaiReply, TRAVEL_OUTPUT } from '../../test/test-support/travel-agent.ts';
import { openTravel, readAll, TRAVEL_TOOLS, texts, tools } from '../../test/test-support/ui-stream-support.ts';
import { pipeRunUIStream, toUIMessageStream } from './index.ts';

const temp = makeTempDir('ai-sdk-ui');
let server: OpenAITestServer;

beforeAll(async () => {
  server = await createOpenAITestServer({ respond: openaiReply, delayMs: 20, chunkDelayMs: 5, chunkSize: 4 });
});
afterAll(async () => {
  await server.close();
  temp.remove();
});

const travel = (name: string, model = 'travel') => openTravel(temp.path, name, server.baseURL, model);

describe('toUIMessageStream', () => {
  it('rebuilds a finished run as one assistant message, the same chunks on every read, without a model call', async () => {
    const { agent, close } = travel('finished');
    try {
      const result = await agent.run('Book Paris, Rome and Oslo.', { runId: 'ui_finished' });
      expect(result).toMatchObject({ status: 'completed', output: TRAVEL_OUTPUT });
      const calls = server.requests.length;
      const first = await readAll(toUIMessageStream(agent.runtime, 'ui_finished'));
      const second = await readAll(toUIMessageStream(agent.runtime, 'ui_finished'));
      expect(second.chunks).toEqual(first.chunks);
      expect(server.requests.length).toBe(calls);

      const { message } = first;
      expect(message).toMatchObject({
        id: 'ui_finished',
        role: 'assistant',
        metadata: { runId: 'ui_finished', status: 'completed' },
      });
      expect(texts(message)).toEqual(['Step 1.', 'Step 2.', 'Step 3.', TRAVEL_OUTPUT]);
      expect(tools(message)).toEqual(TRAVEL_TOOLS);
      expect(message.parts.filter((part) => part.type === 'step-start')).toHaveLength(4);
      expect(first.chunks[0]).toEqual({ type: 'start', messageId: 'ui_finished', messageMetadata: { runId: 'ui_finished' } });
      expect(first.chunks.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
    } finally {
      await close();
    }
  });

  it('pairs each tool output with the call its step served, also when an earlier call of the same tool failed its schema', async () => {
    const { agent, close } = travel('schema-miss', 'schema-miss');
    try {
      const result = await agent.run('Find Paris and Rome.', { runId: 'ui_schema_miss' });
      expect(result.status).toBe('completed');
      // The tool step recorded the call it served (its label).
      const history = await agent.runtime.history('ui_schema_miss');
      const stepEnds = history.filter((item) => item.kind === 'step-end' && item.key.startsWith('tool:'));
      expect(stepEnds.map((item) => [item.key, item.label])).toEqual([['tool:find_flight#0', 'call_miss_1']]);
      const { message } = await readAll(toUIMessageStream(agent.runtime, 'ui_schema_miss'));
      // Without the label, call order would give Rome's output to the first call (call_miss_0).
      expect(tools(message)).toEqual([
        {
          type: 'tool-find_flight',
          toolCallId: 'call_miss_0',
          state: 'output-error',
          input: { town: 'Paris' },
          output: undefined,
        },
        {
          type: 'tool-find_flight',
          toolCallId: 'call_miss_1',
          state: 'output-available',
          input: { city: 'Rome' },
          output: { flight: 'ROM-101' },
        },
      ]);
    } finally {
      await close();
    }
  });

  it('follows a live run: text deltas as the model streams them, then the message the journal rebuilds', async () => {
    const { agent, close } = travel('live');
    try {
      const running = agent.run('Book Paris, Rome and Oslo.', { runId: 'ui_live' });
      // The run exists once its first entry is written; the stream starts from the journal there.
      for (let i = 0; i < 200; i++) {
        if ((await agent.runtime.list({})).runs.some((run) => run.runId === 'ui_live')) break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const live = await readAll(toUIMessageStream(agent.runtime, 'ui_live', { pollMs: 50 }));
      expect((await running).status).toBe('completed');
      const rebuilt = await readAll(toUIMessageStream(agent.runtime, 'ui_live'));
      expect(live.message).toEqual(rebuilt.message);
      expect(tools(live.message)).toEqual(TRAVEL_TOOLS);
      // The final text came in several deltas (4 characters a chunk from the server), not in one piece.
      const lastTextId = (live.chunks.filter((chunk) => chunk.type === 'text-start').at(-1) as { id: string }).id;
      const deltas = live.chunks.filter((chunk) => chunk.type === 'text-delta' && chunk.id === lastTextId);
      expect(deltas.length).toBeGreaterThan(3);
      expect(deltas.map((chunk) => (chunk as { delta: string }).delta).join('')).toBe(TRAVEL_OUTPUT);
    } finally {
      await close();
    }
  });

  it('ends at an approval pause with the approval request; after the decision a reconnect shows the output', async () => {
    const { agent, close } = travel('approval', 'cancel');
    try {
      const paused = await agent.run('Cancel booking B1.', { runId: 'ui_approval' });
      expect(paused.status).toBe('paused');
      const before = await readAll(toUIMessageStream(agent.runtime, 'ui_approval'));
      expect(before.message.metadata).toMatchObject({ status: 'paused', pauseReason: 'approval' });
      expect(before.message.parts.find((part) => part.type === 'tool-cancel_booking')).toMatchObject({
        toolCallId: 'call_cancel_1',
        state: 'approval-requested',
        input: { bookingId: 'B1' },
        approval: { id: 'call_cancel_1' },
      });
      const done = await agent.approve('ui_approval', 'call_cancel_1', { approved: true, by: 'ada@example.com' });
      expect(done.status).toBe('completed');
      const after = await readAll(toUIMessageStream(agent.runtime, 'ui_approval'));
      expect(after.message.parts.find((part) => part.type === 'tool-cancel_booking')).toMatchObject({
        toolCallId: 'call_cancel_1',
        state: 'output-available',
        output: { cancelled: 'B1' },
        approval: { id: 'call_cancel_1', approved: true },
      });
      expect(texts(after.message).at(-1)).toBe('Cancel outcome: {"cancelled":"B1"}');
    } finally {
      await close();
    }
  });

  it('reads a rejected call as denied', async () => {
    const { agent, close } = travel('rejected', 'cancel');
    try {
      await agent.run('Cancel booking B1.', { runId: 'ui_rejected' });
      await agent.approve('ui_rejected', 'call_cancel_1', { approved: false, by: 'ada@example.com', reason: 'not today' });
      const { message } = await readAll(toUIMessageStream(agent.runtime, 'ui_rejected'));
      expect(message.parts.find((part) => part.type === 'tool-cancel_booking')).toMatchObject({
        state: 'output-denied',
        approval: { id: 'call_cancel_1', approved: false, reason: 'not today' },
      });
    } finally {
      await close();
    }
  });
});

it('stops reading the run when the consumer goes away (cancel, abort signal, node:http client hang-up)', async () => {
  const { agent, close } = travel('cancel');
  try {
    // Queued and never driven: a stream of it waits for news for ever, polling.
    await agent.runtime.start(agent.workflow, 'Book Paris.', { runId: 'ui_cancel', drive: false });
    let reads = 0;
    const source = {
      get: (runId: string) => {
        reads++;
        return agent.runtime.get(runId);
      },
      history: (runId: string, page: { afterSeq: number; limit: number }) => agent.runtime.history(runId, page),
    };
    const settle = async () => {
      const before = reads;
      await new Promise((resolve) => setTimeout(resolve, 150));
      return reads - before;
    };
    const reader = toUIMessageStream(source, 'ui_cancel', { pollMs: 10 }).getReader();
    expect(await reader.read()).toMatchObject({ value: { type: 'start' } });
    expect(await settle()).toBeGreaterThan(3);
    await reader.cancel();
    await settle();
    expect(await settle()).toBe(0);

    const aborter = new AbortController();
    const signalled = toUIMessageStream(source, 'ui_cancel', { pollMs: 10, signal: aborter.signal }).getReader();
    await signalled.read();
    aborter.abort();
    await settle();
    expect(await settle()).toBe(0);

    const http = createServer((_request, response) => void pipeRunUIStream(response, source, 'ui_cancel', { pollMs: 10 }));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    try {
      const client = new AbortController();
      const response = await fetch(`http://127.0.0.1:${(http.address() as AddressInfo).port}/`, { signal: client.signal });
      expect(response.status).toBe(200);
      expect(await settle()).toBeGreaterThan(3);
      client.abort();
      await settle();
      expect(await settle()).toBe(0);
    } finally {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    }
  } finally {
    await close();
  }
});

describe('pipeRunUIStream over node:http', () => {
  let http: Server;
  let origin: string;
  let agent: ReturnType<typeof travel>;

  beforeAll(async () => {
    agent = travel('http');
    await agent.agent.run('Book Paris, Rome and Oslo.', { runId: 'ui_http' });
    http = createServer((request, response) => {
      const runId = decodeURIComponent(/^\/runs\/([^/]+)\/ui-stream$/.exec(request.url ?? '')?.[1] ?? '');
      pipeRunUIStream(response, agent.agent.runtime, runId).catch((error: unknown) => {
        const status = CairnError.is(error, 'run-not-found') ? 404 : CairnError.is(error, 'invalid-run-id') ? 400 : 500;
        if (!response.headersSent) response.writeHead(status, { 'content-type': 'text/plain' });
        response.end(status === 500 ? 'internal error' : (error as Error).message);
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
    await agent.close();
  });

  const transport = () =>
    new DefaultChatTransport({
      api: `${origin}/chat`,
      prepareReconnectToStreamRequest: ({ id }) => ({ api: `${origin}/runs/${encodeURIComponent(id)}/ui-stream` }),
    });

  it('answers the framing the AI SDK client reads', async () => {
    const response = await fetch(`${origin}/runs/ui_http/ui-stream`);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('x-vercel-ai-ui-message-stream')).toBe('v1');
    const text = await response.text();
    expect(text.startsWith('data: {"type":"start","messageId":"ui_http"')).toBe(true);
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    const stream = await transport().reconnectToStream({ chatId: 'ui_http' });
    if (!stream) throw new Error('no stream');
    const { message } = await readAll(stream);
    expect(texts(message)).toEqual(['Step 1.', 'Step 2.', 'Step 3.', TRAVEL_OUTPUT]);
    expect(tools(message)).toEqual(TRAVEL_TOOLS);
  });

  it('refuses a missing run with 404 and a malformed run id with 400, before any stream starts', async () => {
    await expect(transport().reconnectToStream({ chatId: 'nope' })).rejects.toThrow(/not found/);
    const bad = await fetch(`${origin}/runs/${encodeURIComponent('bad id\u001b[31m')}/ui-stream`);
    expect(bad.status).toBe(400);
  });
});
