// Faults on the Anthropic server during an agent run through `@ai-sdk/anthropic`: 429 with
// retry-after, 529 overloaded, 500, a cut stream, malformed JSON and an in-stream error event are
// retried by the engine (each attempt one request, the journal one model step with its attempts);
// a 400 fails the run at once with a non-retryable ModelError naming the model.
import { createAnthropic } from '@ai-sdk/anthropic';
import { Agent, createMemoryStore, type DurableStore, type JournalEntry, RunFailedError, tool } from '@cairn/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnthropicTestServer, createAnthropicTestServer } from '../test/test-support/anthropic-test-server.ts';
import { createAISDKModel } from './ai-sdk-model.ts';

let server: AnthropicTestServer;

beforeAll(async () => {
  server = await createAnthropicTestServer({ respond: () => ({ text: 'All good.', usage: { input: 7, output: 3 } }) });
});
afterAll(() => server.close());

function agentOver(store: DurableStore) {
  return new Agent({
    name: 'faults',
    model: createAISDKModel(createAnthropic({ baseURL: server.baseURL, apiKey: 'k' })('claude-sonnet-4-5'), {
      maxRetryAfterMs: 400,
    }),
    instructions: 'Answer.',
    modelRetry: { maxAttempts: 8, backoff: { initialMs: 5, factor: 1, maxMs: 5, jitter: 0 } },
    store,
  });
}

const meta = (entry: JournalEntry) => JSON.parse(entry.payload) as { a: number };

describe('an agent over @ai-sdk/anthropic with faults injected on the server', () => {
  it('retries 429 (honouring retry-after), 529, 500, a cut stream, malformed JSON and an overloaded event', async () => {
    const store = createMemoryStore();
    const agent = agentOver(store);
    server.fail(
      { kind: 'status', status: 429, headers: { 'retry-after': '0.3' }, errorType: 'rate_limit_error' },
      { kind: 'status', status: 529, errorType: 'overloaded_error' },
      { kind: 'status', status: 500, errorType: 'api_error' },
      { kind: 'cut-stream', afterEvents: 3 },
      { kind: 'malformed-json' },
      { kind: 'stream-error', errorType: 'overloaded_error', afterEvents: 2 },
    );
    const from = server.requests.length;
    const started = Date.now();
    const result = await agent.run('Hello', { runId: 'run_faults' });
    expect(result).toMatchObject({ status: 'completed', output: 'All good.' });
    const requests = server.requests.slice(from);
    expect(requests.map((r) => r.fault ?? 'ok')).toEqual([
      'status',
      'status',
      'status',
      'cut-stream',
      'malformed-json',
      'stream-error',
      'ok',
    ]);
    // The 429's retry-after (300 ms) was waited out before the second attempt.
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    const entries = await store.readEntries('run_faults');
    const model = entries.filter((e) => e.key === 'model#0');
    expect(model.map((e) => e.kind)).toEqual(['step-end']);
    expect(meta(model[0]!).a).toBe(7);
    expect(entries.filter((e) => e.key.startsWith('model#'))).toHaveLength(1);
    await agent.close();
  });

  it('fails the run on a 400 without retrying, naming the model and the API error type', async () => {
    const store = createMemoryStore();
    const agent = agentOver(store);
    server.fail({ kind: 'status', status: 400, errorType: 'invalid_request_error' });
    const from = server.requests.length;
    const error = await agent.run('Hello', { runId: 'run_refused' }).catch((e) => e);
    expect(error).toBeInstanceOf(RunFailedError);
    expect(String(error.cause?.message ?? error.message)).toContain(
      'model "anthropic:claude-sonnet-4-5": HTTP 400 (invalid_request_error): the request was refused',
    );
    expect(server.requests.length - from).toBe(1);
    const entries = await store.readEntries('run_refused');
    const fail = entries.find((e) => e.kind === 'step-fail' && e.key === 'model#0');
    expect(fail).toBeDefined();
    expect(meta(fail!).a).toBe(1);
    expect(fail!.payload).toContain('invalid_request_error');
    expect(fail!.payload).not.toContain('Injected');
    await agent.close();
  });
});

describe('hostile model output through @ai-sdk/anthropic', () => {
  it('returns unparsable tool input to the model, and keeps escape codes and NULs in text as data', async () => {
    const hostile = await createAnthropicTestServer({
      respond: (body) => {
        const turn = body.messages.filter((m: { role: string }) => m.role === 'assistant').length;
        if (turn === 0)
          return {
            text: 'Calling \u001b[31mred\u001b[0m\u0000 now',
            toolCalls: [{ id: 'toolu_bad', name: 'echo', input: {}, rawInput: '{"text": "unterminated' }],
          };
        const last = body.messages.at(-1).content.find((p: { type: string }) => p.type === 'tool_result');
        return { text: `Got: ${last.content}` };
      },
    });
    try {
      const store = createMemoryStore();
      const ran: string[] = [];
      const agent = new Agent({
        model: createAISDKModel(createAnthropic({ baseURL: hostile.baseURL, apiKey: 'k' })('claude-sonnet-4-5')),
        tools: [
          tool({
            name: 'echo',
            description: 'Echo',
            input: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
            execute: (input) => {
              ran.push(JSON.stringify(input));
              return input;
            },
          }),
        ],
        store,
      });
      const deltas: string[] = [];
      const result = await agent.run('Go', { runId: 'run_hostile', onTextDelta: (d) => deltas.push(d) });
      expect(ran).toEqual([]);
      expect(result).toMatchObject({
        status: 'completed',
        output: 'Got: Error: the arguments of this call to "echo" are not valid JSON. Call it again with a JSON object.',
      });
      expect(deltas.join('')).toContain('\u001b[31mred\u001b[0m\u0000 now');
      // The assistant message was journaled as the provider sent it, and replays the same.
      const again = await agent.resume('run_hostile');
      expect(again).toMatchObject({ status: 'completed', output: (result as { output: string }).output });
      expect(hostile.requests).toHaveLength(2);
      expect(hostile.requests[1]!.body.messages[1].content).toEqual([
        { type: 'text', text: 'Calling \u001b[31mred\u001b[0m\u0000 now' },
        // Anthropic refuses a non-object input: the broken call is replayed with {}.
        { type: 'tool_use', id: 'toolu_bad', name: 'echo', input: {} },
      ]);
      await agent.close();
    } finally {
      await hostile.close();
    }
  });
});
