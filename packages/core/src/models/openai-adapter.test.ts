import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { describe, expect, it } from 'vitest';
import { CairnError, RetryAfterError } from '../errors.ts';
import { retryAfterMs, toModelError } from './openai-errors.ts';
import { createStreamAccumulator, fromCompletion, toOpenAIBody } from './openai-messages.ts';

const live = new AbortController().signal;

function headers(values: Record<string, string>): { get(name: string): string | null } {
  return { get: (name) => values[name.toLowerCase()] ?? null };
}

function apiError(status: number, body: object, head: Record<string, string> = {}): unknown {
  return APIError.generate(status, { error: body }, undefined, headers(head) as never);
}

function chunk(delta: object, finish: string | null = null, usage?: object): ChatCompletionChunk {
  return {
    id: 'c',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'm',
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    ...(usage ? { usage } : {}),
  } as ChatCompletionChunk;
}

describe('OpenAI adapter: errors', () => {
  it('reads retry-after-ms, retry-after in seconds and as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(headers({ 'retry-after-ms': '1500' }), now)).toBe(1500);
    expect(retryAfterMs(headers({ 'retry-after': '2' }), now)).toBe(2000);
    expect(retryAfterMs(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now)).toBe(3000);
    expect(retryAfterMs(headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterMs(headers({}), now)).toBeUndefined();
  });

  it('maps statuses: 429 → RetryAfterError, 5xx → retryable, 4xx → not, without echoing the server’s text', () => {
    const limited = toModelError(
      apiError(429, { message: 'slow down', code: 'rate_limit_exceeded' }, { 'retry-after-ms': '250' }),
      'gpt-x',
      live,
    );
    expect(limited).toBeInstanceOf(RetryAfterError);
    expect((limited as RetryAfterError).retryAfterMs).toBe(250);
    const server = toModelError(apiError(503, { message: 'overloaded' }), 'gpt-x', live) as CairnError;
    expect(server).toMatchObject({
      code: 'model-error',
      retryable: true,
      message: '[@cairn/core] model "gpt-x": HTTP 503: server error',
    });
    const auth = toModelError(
      apiError(
        401,
        { message: 'Incorrect API key provided: sk-abc***wxyz', code: 'invalid_api_key' },
        { 'x-request-id': 'req_123' },
      ),
      'gpt-x',
      live,
    ) as CairnError;
    expect(auth).toMatchObject({ code: 'model-error', retryable: false, name: 'ModelError' });
    expect(auth.message).toBe('[@cairn/core] model "gpt-x": HTTP 401 (invalid_api_key, request req_123): check the API key');
    expect(auth.cause).toBeUndefined();
    const missing = toModelError(apiError(404, { message: 'The model `gpt-x` does not exist' }), 'gpt-x', live) as CairnError;
    expect(missing).toMatchObject({
      retryable: false,
      message: '[@cairn/core] model "gpt-x": HTTP 404: check the model name and baseURL',
    });
  });

  it('maps timeouts, network errors and malformed JSON to retryable model errors, and an abort to its reason', () => {
    expect(toModelError(new APIConnectionTimeoutError(), 'm', live)).toMatchObject({
      retryable: true,
      message: '[@cairn/core] model "m": request timed out',
    });
    expect(toModelError(new APIConnectionError({ message: 'x' }), 'm', live)).toMatchObject({
      retryable: true,
      message: '[@cairn/core] model "m": connection failed',
    });
    let syntax: unknown;
    try {
      JSON.parse('{"secret": tru');
    } catch (error) {
      syntax = error;
    }
    expect(toModelError(syntax, 'm', live)).toMatchObject({
      retryable: true,
      message: '[@cairn/core] model "m" returned a malformed response (invalid JSON)',
    });
    const controller = new AbortController();
    const reason = new CairnError('aborted', 'step timed out', { retryable: true });
    controller.abort(reason);
    expect(toModelError(new Error('whatever'), 'm', controller.signal)).toBe(reason);
  });
});

describe('OpenAI adapter: messages', () => {
  it('builds a chat completion body with tools, tool results and a JSON schema response format', () => {
    const body = toOpenAIBody(
      {
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Add 2 and 3' },
          { role: 'assistant', content: null, toolCalls: [{ id: 'call_1', name: 'add', arguments: '{"a":2,"b":3}' }] },
          { role: 'tool', toolCallId: 'call_1', content: '5' },
        ],
        tools: [{ name: 'add', description: 'Add', parameters: { type: 'object' } }],
        output: { name: 'output', schema: { type: 'object' } },
      },
      'gpt-x',
      { temperature: 0 },
    );
    expect(body).toEqual({
      temperature: 0,
      model: 'gpt-x',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Add 2 and 3' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'add', arguments: '{"a":2,"b":3}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '5' },
      ],
      tools: [{ type: 'function', function: { name: 'add', description: 'Add', parameters: { type: 'object' } } }],
      response_format: { type: 'json_schema', json_schema: { name: 'output', schema: { type: 'object' }, strict: false } },
    });
  });

  it('reads a completion, and treats one without choices as a retryable malformed response', () => {
    const response = fromCompletion(
      {
        id: 'x',
        object: 'chat.completion',
        created: 0,
        model: 'gpt-x',
        choices: [
          {
            index: 0,
            finish_reason: 'tool_calls',
            logprobs: null,
            message: {
              role: 'assistant',
              content: null,
              refusal: null,
              tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'add', arguments: '{}' } }],
            },
          },
        ],
        usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
      },
      'gpt-x',
    );
    expect(response).toEqual({
      message: { role: 'assistant', content: null, toolCalls: [{ id: 'call_9', name: 'add', arguments: '{}' }] },
      usage: { inputTokens: 12, outputTokens: 3 },
      finishReason: 'tool-calls',
    });
    expect(() => fromCompletion({ choices: [] } as never, 'gpt-x')).toThrow(
      expect.objectContaining({ code: 'model-error', retryable: true }),
    );
  });

  it('accumulates streamed text and tool call pieces, and rejects a stream cut before its finish', () => {
    const stream = createStreamAccumulator('gpt-x');
    expect(stream.add(chunk({ role: 'assistant', content: 'Hel' }))).toBe('Hel');
    expect(stream.add(chunk({ content: 'lo' }))).toBe('lo');
    stream.add(
      chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'ad', arguments: '{"a"' } }] }),
    );
    stream.add(chunk({ tool_calls: [{ index: 0, function: { name: 'd', arguments: ':1}' } }] }));
    stream.add(chunk({}, 'tool_calls'));
    stream.add({ ...chunk({}), choices: [], usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 } });
    expect(stream.finish()).toEqual({
      message: { role: 'assistant', content: 'Hello', toolCalls: [{ id: 'call_1', name: 'add', arguments: '{"a":1}' }] },
      usage: { inputTokens: 7, outputTokens: 2 },
      finishReason: 'tool-calls',
    });
    const cut = createStreamAccumulator('gpt-x');
    cut.add(chunk({ content: 'partial' }));
    expect(() => cut.finish()).toThrow(
      expect.objectContaining({
        code: 'model-error',
        retryable: true,
        message: expect.stringContaining('the stream ended before the reply finished'),
      }),
    );
  });
});
