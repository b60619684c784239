// Reasoning through @ai-sdk/anthropic (extended thinking): the thinking block and its signature are
// journaled with the assistant message and sent back exactly on the next call, also when the run
// continues from the journal after an approval, streamed or not.
import { createAnthropic } from '@ai-sdk/anthropic';
import { Agent, createMemoryStore } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { createAnthropicTestServer } from '../test/test-support/anthropic-test-server.ts';
import { refundTool } from '../test/test-support/refund-tool.ts';
import { createAISDKModel } from './ai-sdk-model.ts';

const THINKING = {
  text: 'The user wants a refund; \u001b[1mcheck\u001b[0m the amount first.',
  signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxh',
};

describe.each([true, false])('reasoning parts (stream: %s)', (stream) => {
  it('are journaled with the assistant message and sent back with their signature', async () => {
    const server = await createAnthropicTestServer({
      respond: (body) =>
        body.messages.length === 1
          ? { thinking: THINKING, text: 'Refunding.', toolCalls: [{ id: 'toolu_r', name: 'refund', input: { cents: 500 } }] }
          : { text: 'Refunded.' },
    });
    try {
      const store = createMemoryStore();
      const agent = new Agent({
        model: createAISDKModel(createAnthropic({ baseURL: server.baseURL, apiKey: 'k' })('claude-sonnet-4-5')),
        tools: [refundTool()],
        store,
        stream,
      });
      const paused = await agent.run('Refund order 7.', { runId: 'run_thinking' });
      expect(paused).toMatchObject({ status: 'paused' });
      const entry = (await store.readEntries('run_thinking')).find((e) => e.kind === 'step-end' && e.key === 'model#0');
      expect(entry!.payload).toContain(THINKING.signature);
      const done = await agent.approve('run_thinking', 'toolu_r', { approved: true, by: 'ada@example.com' });
      expect(done).toMatchObject({ status: 'completed', output: 'Refunded.' });
      expect(server.requests).toHaveLength(2);
      expect(server.requests[1]!.body.messages[1]).toEqual({
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: THINKING.text, signature: THINKING.signature },
          { type: 'text', text: 'Refunding.' },
          { type: 'tool_use', id: 'toolu_r', name: 'refund', input: { cents: 500 } },
        ],
      });
      await agent.close();
    } finally {
      await server.close();
    }
  });
});
