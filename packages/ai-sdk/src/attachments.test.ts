// User messages with images and files (inline base64 and by URL) through @ai-sdk/anthropic and
// @ai-sdk/openai (chat completions) to local servers: each provider's own content blocks, and the
// same blocks again when the run continues after an approval (the input is replayed from the store).
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { Agent, type Attachment, createMemoryStore, type LanguageModel } from '@cairn/core';
import { createOpenAITestServer } from '@cairn/test-rigs/openai-test-server';
import { describe, expect, it } from 'vitest';
import { createAnthropicTestServer } from '../test/test-support/anthropic-test-server.ts';
import { refundTool } from '../test/test-support/refund-tool.ts';
import { createAISDKModel } from './ai-sdk-model.ts';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==';
const PDF = Buffer.from('%PDF-1.4\n%\u00e2\u00e3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF').toString('base64');
const attachments: Attachment[] = [
  { type: 'image', mediaType: 'image/png', data: PNG },
  { type: 'image', mediaType: 'image/jpeg', url: 'https://example.com/receipt.jpg' },
  { type: 'file', mediaType: 'application/pdf', data: PDF, filename: 'invoice.pdf' },
];

function agentWith(model: LanguageModel) {
  return new Agent({
    model,
    tools: [refundTool()],
    store: createMemoryStore(),
  });
}

async function runWithApproval(agent: ReturnType<typeof agentWith>, attached: Attachment[] = attachments) {
  const paused = await agent.run({ messages: [{ role: 'user', content: 'Refund this receipt.', attachments: attached }] });
  expect(paused).toMatchObject({ status: 'paused', pauseReason: 'approval' });
  const approvalId = (paused as { pendingApprovals: Array<{ approvalId: string }> }).pendingApprovals[0]!.approvalId;
  return agent.approve(paused.runId, approvalId, { approved: true, by: 'ada@example.com' });
}

describe('user attachments', () => {
  it('reach Anthropic as image and document blocks, replayed the same after an approval', async () => {
    const server = await createAnthropicTestServer({
      respond: (body) =>
        body.messages.length === 1
          ? { toolCalls: [{ id: 'toolu_r', name: 'refund', input: { cents: 500 } }] }
          : { text: 'Refunded.' },
    });
    try {
      const agent = agentWith(createAISDKModel(createAnthropic({ baseURL: server.baseURL, apiKey: 'k' })('claude-sonnet-4-5')));
      expect(await runWithApproval(agent)).toMatchObject({ status: 'completed', output: 'Refunded.' });
      const [first, second] = server.requests.map((r) => r.body.messages[0]);
      expect(first).toMatchObject({
        role: 'user',
        content: [
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/receipt.jpg' } },
          { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF } },
          { type: 'text', text: 'Refund this receipt.' },
        ],
      });
      expect(second).toEqual(first);
      await agent.close();
    } finally {
      await server.close();
    }
  });

  it('reach OpenAI chat completions as image_url and file parts', async () => {
    const server = await createOpenAITestServer({
      respond: (body) =>
        body.messages.length === 1
          ? { toolCalls: [{ id: 'call_r', name: 'refund', arguments: '{"cents":500}' }] }
          : { text: 'Refunded.' },
    });
    try {
      const chat = createOpenAI({ baseURL: server.baseURL, apiKey: 'k' }).chat('gpt-4o-mini');
      const agent = agentWith(createAISDKModel(chat));
      expect(await runWithApproval(agent)).toMatchObject({ status: 'completed', output: 'Refunded.' });
      const [first, second] = server.requests.map((r) => r.body.messages[0]);
      expect(first).toMatchObject({
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
          { type: 'image_url', image_url: { url: 'https://example.com/receipt.jpg' } },
          { type: 'file', file: { filename: 'invoice.pdf', file_data: `data:application/pdf;base64,${PDF}` } },
          { type: 'text', text: 'Refund this receipt.' },
        ],
      });
      expect(second).toEqual(first);
      await agent.close();
    } finally {
      await server.close();
    }
  });

  it('refuses malformed attachments when the run starts, naming the run', async () => {
    const agent = agentWith(createAISDKModel(createAnthropic({ baseURL: 'http://127.0.0.1:9/v1', apiKey: 'k' })('m')));
    for (const [i, bad] of [
      { type: 'image', mediaType: 'image/png' },
      { type: 'image', mediaType: 'image/png', data: PNG, url: 'https://example.com/x.png' },
      { type: 'image', mediaType: 'image/png', data: 'not base64!' },
      { type: 'image', mediaType: 'image/png', url: 'javascript:alert(1)' },
      { type: 'image', mediaType: 'png', data: PNG },
      { type: 'video', mediaType: 'video/mp4', data: PNG },
      null,
    ].entries()) {
      const error = await agent
        .run({ messages: [{ role: 'user', content: 'x', attachments: [bad as never] }] }, { runId: `run_bad_${i}` })
        .catch((e) => e);
      expect(String(error.cause?.message ?? error.message), JSON.stringify(bad)).toContain(
        `run "run_bad_${i}": agent input must be`,
      );
    }
    await agent.close();
  });
});
