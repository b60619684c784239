// Usage from chat completions: cached input and reasoning tokens when the server reports them,
// plain totals otherwise (the fields stay absent, so journaled usage of older runs is unchanged).
import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import { describe, expect, it } from 'vitest';
import { createStreamAccumulator, fromCompletion } from './openai-messages.ts';

const completion = (usage: object): ChatCompletion =>
  ({
    id: 'c',
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [{ index: 0, finish_reason: 'stop', logprobs: null, message: { role: 'assistant', content: 'ok', refusal: null } }],
    usage,
  }) as ChatCompletion;

describe('chat completions usage', () => {
  it('reads cached and reasoning tokens, and leaves them out when absent', () => {
    const detailed = {
      prompt_tokens: 20,
      completion_tokens: 9,
      total_tokens: 29,
      prompt_tokens_details: { cached_tokens: 16 },
      completion_tokens_details: { reasoning_tokens: 5 },
    };
    expect(fromCompletion(completion(detailed), 'm').usage).toEqual({
      inputTokens: 20,
      outputTokens: 9,
      cachedInputTokens: 16,
      reasoningTokens: 5,
    });
    expect(fromCompletion(completion({ prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 }), 'm').usage).toEqual({
      inputTokens: 3,
      outputTokens: 1,
    });
  });

  it('reads them from the usage chunk of a stream', () => {
    const acc = createStreamAccumulator('m');
    const base = { id: 'c', object: 'chat.completion.chunk' as const, created: 1, model: 'm' };
    acc.add({
      ...base,
      choices: [{ index: 0, delta: { content: 'ok' }, finish_reason: 'stop', logprobs: null }],
    } as ChatCompletionChunk);
    acc.add({
      ...base,
      choices: [],
      usage: { prompt_tokens: 20, completion_tokens: 9, total_tokens: 29, prompt_tokens_details: { cached_tokens: 16 } },
    } as ChatCompletionChunk);
    expect(acc.finish().usage).toEqual({ inputTokens: 20, outputTokens: 9, cachedInputTokens: 16 });
  });
});
