// The adapter against a local server speaking the Anthropic Messages API, through the real
// `@ai-sdk/anthropic` provider: answers, tool calls, usage, streaming, and each fault mapped.
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { type LanguageModel, ModelError, type ModelRequest, RetryAfterError } from '@cairn/core';
import { createOpenAITestServer, type OpenAITestServer } from '@cairn/test-rigs/openai-test-server';
import { createProviderRegistry, customProvider } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnthropicTestServer, createAnthropicTestServer } from '../test/test-support/anthropic-test-server.ts';
import { createAISDKModel } from './ai-sdk-model.ts';

let server: AnthropicTestServer;
let openaiServer: OpenAITestServer;
let model: LanguageModel;

const request: ModelRequest = {
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Weather in Paris?' },
    { role: 'assistant', content: 'Looking.', toolCalls: [{ id: 'toolu_1', name: 'weather', arguments: '{"city":"Paris"}' }] },
    { role: 'tool', toolCallId: 'toolu_1', content: '{"c":21}' },
  ],
  tools: [
    {
      name: 'weather',
      description: 'Weather of a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
    },
  ],
};

const signal = () => new AbortController().signal;

beforeAll(async () => {
  server = await createAnthropicTestServer({
    respond: (body) =>
      body.messages.at(-1).content.some?.((p: { type: string }) => p.type === 'tool_result')
        ? { text: 'It is 21 °C in Paris.', usage: { input: 40, output: 9, cacheRead: 30 } }
        : { text: 'Checking.', toolCalls: [{ id: 'toolu_2', name: 'weather', input: { city: 'Paris' } }] },
  });
  openaiServer = await createOpenAITestServer({
    respond: () => ({ text: 'Hello from chat completions.', usage: { prompt: 12, completion: 4, cached: 8, reasoning: 3 } }),
  });
  model = createAISDKModel(createAnthropic({ baseURL: server.baseURL, apiKey: 'sk-ant-test' })('claude-sonnet-4-5'), {
    maxRetryAfterMs: 5000,
  });
});
afterAll(async () => {
  await server.close();
  await openaiServer.close();
});

describe('createAISDKModel over @ai-sdk/anthropic (local Messages API server)', () => {
  it('generates: sends system, tool calls, tool results and the JSON Schema; reads text, usage, cached tokens', async () => {
    const from = server.requests.length;
    const response = await model.generate(request, { signal: signal() });
    expect(model.id).toBe('anthropic:claude-sonnet-4-5');
    expect(response).toEqual({
      message: { role: 'assistant', content: 'It is 21 °C in Paris.' },
      // Anthropic's input_tokens leave the cache out; the total the provider reports adds it back.
      usage: { inputTokens: 70, outputTokens: 9, cachedInputTokens: 30 },
      finishReason: 'stop',
    });
    const sent = server.requests[from]!;
    expect(sent.headers['x-api-key']).toBe('sk-ant-test');
    expect(sent.body.system).toEqual([{ type: 'text', text: 'Be brief.' }]);
    expect(sent.body.tools).toEqual([
      expect.objectContaining({ name: 'weather', description: 'Weather of a city', input_schema: request.tools[0]!.parameters }),
    ]);
    expect(sent.body.messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'text', text: 'Looking.' },
        { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
      ],
    });
    expect(sent.body.messages[2].content[0]).toMatchObject({ type: 'tool_result', tool_use_id: 'toolu_1', content: '{"c":21}' });
  });

  it('streams text deltas and tool calls assembled from input_json_delta', async () => {
    const deltas: string[] = [];
    const response = await model.stream!(
      { ...request, messages: request.messages.slice(0, 2) },
      { signal: signal(), onTextDelta: (d) => deltas.push(d) },
    );
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('Checking.');
    expect(response.message).toEqual({
      role: 'assistant',
      content: 'Checking.',
      toolCalls: [{ id: 'toolu_2', name: 'weather', arguments: '{"city":"Paris"}' }],
    });
    expect(response.finishReason).toBe('tool-calls');
    expect(response.usage).toMatchObject({ inputTokens: 10, outputTokens: 5 });
  });

  it('maps 429 with retry-after to RetryAfterError, capped', async () => {
    server.fail({ kind: 'status', status: 429, headers: { 'retry-after': '2' }, errorType: 'rate_limit_error' });
    const e1 = await model.generate(request, { signal: signal() }).catch((e) => e);
    expect(e1).toBeInstanceOf(RetryAfterError);
    expect(e1.retryAfterMs).toBe(2000);
    expect(e1.message).toContain('HTTP 429 (rate_limit_error)');
    expect(e1.message).toContain('2000 ms');
    server.fail({ kind: 'status', status: 429, headers: { 'retry-after': '3600' }, errorType: 'rate_limit_error' });
    const e2 = await model.stream!(request, { signal: signal(), onTextDelta: () => {} }).catch((e) => e);
    expect(e2).toBeInstanceOf(RetryAfterError);
    expect(e2.message).toContain('retry in 5000 ms (asked 3600000 ms, capped)');
    expect(e2.retryAfterMs).toBe(5000);
  });

  it('maps 529 overloaded and 500 to retryable errors, 400 and 401 to non-retryable ones', async () => {
    const cases: Array<[number, string, boolean]> = [
      [529, 'overloaded_error', true],
      [500, 'api_error', true],
      [400, 'invalid_request_error', false],
      [401, 'authentication_error', false],
    ];
    for (const [status, errorType, retryable] of cases) {
      server.fail({ kind: 'status', status, errorType });
      const error = await model.generate(request, { signal: signal() }).catch((e) => e);
      expect(error, `${status}`).toBeInstanceOf(ModelError);
      expect(error.retryable, `${status}`).toBe(retryable);
      expect(error.message).toBe(
        `[@cairn/ai-sdk] model "anthropic:claude-sonnet-4-5": HTTP ${status} (${errorType}): ${retryable ? 'server error' : 'the request was refused'}`,
      );
      expect(error.message).not.toContain('Injected');
    }
  });

  it('fails a cut stream, an in-stream error event and malformed JSON retryably, never with a truncated answer', async () => {
    const deltas: string[] = [];
    server.fail({ kind: 'cut-stream', afterEvents: 4 });
    const cut = await model.stream!(request, { signal: signal(), onTextDelta: (d) => deltas.push(d) }).catch((e) => e);
    expect(cut).toBeInstanceOf(ModelError);
    expect(cut.retryable).toBe(true);

    server.fail({ kind: 'stream-error', errorType: 'overloaded_error', afterEvents: 3 });
    const overloaded = await model.stream!(request, { signal: signal(), onTextDelta: () => {} }).catch((e) => e);
    expect(overloaded).toBeInstanceOf(ModelError);
    expect(overloaded.retryable).toBe(true);
    expect(overloaded.message).toContain('overloaded_error');

    server.fail({ kind: 'malformed-json' });
    const garbled = await model.generate(request, { signal: signal() }).catch((e) => e);
    expect(garbled).toBeInstanceOf(ModelError);
    expect(garbled.retryable).toBe(true);
    expect(garbled.message).toContain('malformed response');

    server.fail({ kind: 'malformed-json' });
    const garbledStream = await model.stream!(request, { signal: signal(), onTextDelta: () => {} }).catch((e) => e);
    expect(garbledStream).toBeInstanceOf(ModelError);
    expect(garbledStream.retryable).toBe(true);
  });

  it('throws the signal reason when aborted mid-stream', async () => {
    const controller = new AbortController();
    const reason = new Error('step timed out');
    const slow = createAISDKModel(createAnthropic({ baseURL: server.baseURL, apiKey: 'k' })('claude-sonnet-4-5'));
    const pending = slow.stream!(
      { ...request, messages: request.messages.slice(0, 2) },
      { signal: controller.signal, onTextDelta: () => controller.abort(reason) },
    );
    await expect(pending).rejects.toBe(reason);
  });
});

describe('createAISDKModel through a provider registry and @ai-sdk/openai (chat completions)', () => {
  it('resolves a model string and speaks chat completions', async () => {
    const openai = createOpenAI({ baseURL: openaiServer.baseURL, apiKey: 'sk-test' });
    // `openai(id)` is the Responses API; chat completions is `openai.chat(id)`.
    const registry = createProviderRegistry({
      openai: customProvider({ languageModels: { 'gpt-4o-mini': openai.chat('gpt-4o-mini') } }),
      anthropic: createAnthropic({ baseURL: server.baseURL, apiKey: 'k' }),
    });
    const chat = createAISDKModel('openai:gpt-4o-mini', { registry });
    expect(chat.id).toBe('openai:gpt-4o-mini');
    const response = await chat.generate({ messages: [{ role: 'user', content: 'Hi' }], tools: [] }, { signal: signal() });
    expect(response.message.content).toBe('Hello from chat completions.');
    expect(response.usage).toEqual({ inputTokens: 12, outputTokens: 4, cachedInputTokens: 8, reasoningTokens: 3 });
    const streamed = await chat.stream!(
      { messages: [{ role: 'user', content: 'Hi' }], tools: [] },
      { signal: signal(), onTextDelta: () => {} },
    );
    expect(streamed.usage).toEqual({ inputTokens: 12, outputTokens: 4, cachedInputTokens: 8, reasoningTokens: 3 });
  });

  it('refuses a model string without a registry, and a value that is no model, naming it', () => {
    expect(() => createAISDKModel('anthropic:claude-sonnet-4-5')).toThrow(/needs a provider registry/);
    expect(() => createAISDKModel({ specificationVersion: 'v1' } as never)).toThrow(/spec v4 or v3, got v1/);
  });
});
