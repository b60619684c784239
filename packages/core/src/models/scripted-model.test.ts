import { describe, expect, it } from 'vitest';
import { createScriptedModel } from './scripted-model.ts';

const live = new AbortController().signal;

describe('scripted model', () => {
  it('answers by turn (assistant messages in the request), not by how often it was called', async () => {
    const model = createScriptedModel(['first', { toolCalls: [{ name: 'look', arguments: { q: 1 } }] }, 'third']);
    const request = { messages: [{ role: 'user' as const, content: 'hi' }], tools: [] };
    expect((await model.generate(request, { signal: live })).message).toEqual({ role: 'assistant', content: 'first' });
    // Asked the same conversation again (a retried call), it gives the same reply.
    expect((await model.generate(request, { signal: live })).message.content).toBe('first');
    const later = {
      messages: [
        ...request.messages,
        { role: 'assistant' as const, content: 'first' },
        { role: 'user' as const, content: 'more' },
      ],
      tools: [],
    };
    const reply = await model.generate(later, { signal: live });
    expect(reply).toMatchObject({
      message: { content: null, toolCalls: [{ id: 'call_1_0', name: 'look', arguments: '{"q":1}' }] },
      finishReason: 'tool-calls',
    });
    expect(model.calls).toBe(3);
    expect(model.requests).toHaveLength(3);
  });

  it('counts tokens deterministically and fails clearly when the script runs out', async () => {
    const model = createScriptedModel(['12345678']);
    const request = { messages: [{ role: 'user' as const, content: 'x'.repeat(40) }], tools: [] };
    expect((await model.generate(request, { signal: live })).usage).toEqual({ inputTokens: 11, outputTokens: 3 });
    const beyond = { messages: [...request.messages, { role: 'assistant' as const, content: 'a' }], tools: [] };
    await expect(model.generate(beyond, { signal: live })).rejects.toMatchObject({
      code: 'non-retriable',
      message: '[@cairn/core] scripted model: no reply scripted for turn 1 (1 scripted)',
    });
  });

  it('streams text in chunks and honours the abort signal during its delay', async () => {
    const model = createScriptedModel(['abcdefghij'], { chunkSize: 4, delayMs: 10_000 });
    const controller = new AbortController();
    const pending = model.generate({ messages: [], tools: [] }, { signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    const fast = createScriptedModel(['abcdefghij'], { chunkSize: 4 });
    const deltas: string[] = [];
    const response = await fast.stream({ messages: [], tools: [] }, { signal: live, onTextDelta: (d) => deltas.push(d) });
    expect(deltas).toEqual(['abcd', 'efgh', 'ij']);
    expect(response.message.content).toBe('abcdefghij');
  });
});
