import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createScriptedModel } from '../models/scripted-model.ts';
import { agentBed } from './agent-test-kit.ts';
import { defineAgent } from './define-agent.ts';

const weather = z.object({ city: z.string(), celsius: z.number() });

function userMessages(model: ReturnType<typeof createScriptedModel>, call: number): string[] {
  return model.requests[call]!.messages.flatMap((m) => (m.role === 'user' ? [m.content] : []));
}

describe('final output', () => {
  it('validates structured output with zod and re-asks, with what was wrong, until it matches', async () => {
    const bed = agentBed();
    const model = createScriptedModel([
      'It is warm in Paris.',
      '{"city": "Paris", "celsius": "warm"}',
      '```json\n{"city": "Paris", "celsius": 21}\n```',
    ]);
    const agent = defineAgent({ name: 'weather', model, output: weather, instructions: 'Report the weather as JSON.' });
    const runtime = bed.runtime({ workflows: [agent] });
    const run = await runtime.start(agent, 'Weather in Paris?');
    const output: { city: string; celsius: number } = await run.result();
    expect(output).toEqual({ city: 'Paris', celsius: 21 });
    expect(model.requests[0]!.output?.schema).toMatchObject({
      type: 'object',
      properties: { city: { type: 'string' }, celsius: { type: 'number' } },
      required: ['city', 'celsius'],
    });
    expect(model.requests[0]!.output?.schema).not.toHaveProperty('$schema');
    expect(userMessages(model, 1)[1]).toBe(
      'Your reply was not valid JSON. Reply again with only a JSON value that matches the required output schema.',
    );
    expect(userMessages(model, 2)[2]).toBe(
      'Your reply did not match the required output schema: celsius: Invalid input: expected number, received string. Reply again with only a JSON value that matches it.',
    );
    expect((await runtime.get(run.runId)).output).toEqual({ city: 'Paris', celsius: 21 });
  });

  it('fails with OutputInvalidError after maxOutputRetries re-asks, naming the run and the problem', async () => {
    const bed = agentBed();
    const model = createScriptedModel(() => '{"city": "Paris", "celsius": "a secret forecast"}');
    const agent = defineAgent({ name: 'weather', model, output: weather, maxOutputRetries: 1 });
    const runtime = bed.runtime({ workflows: [agent] });
    const run = await runtime.start(agent, 'Weather?');
    const info = await run.settled();
    expect(info.status).toBe('failed');
    expect(info.error).toMatchObject({ code: 'output-invalid', name: 'OutputInvalidError' });
    expect(info.error?.message).toBe(
      `[@cairn/core] run "${run.runId}": agent "weather": the reply did not match the output schema (celsius: Invalid input: expected number, received string), after 1 re-asks (maxOutputRetries 1)`,
    );
    expect(model.calls).toBe(2);
  });

  it('re-asks an empty reply instead of returning it', async () => {
    const bed = agentBed();
    const model = createScriptedModel([{ text: '' }, { finishReason: 'content-filter' }, 'Hello!']);
    const agent = defineAgent({ name: 'greeter', model });
    const runtime = bed.runtime({ workflows: [agent] });
    const run = await runtime.start(agent, 'Hi');
    expect(await run.result()).toBe('Hello!');
    expect(userMessages(model, 2)).toEqual([
      'Hi',
      'Your reply was empty. Answer the request, or call a tool if you need one.',
      'Your reply was empty. Answer the request, or call a tool if you need one.',
    ]);
  });

  it('fails with MaxTurnsError when the model never answers within maxTurns', async () => {
    const bed = agentBed();
    const model = createScriptedModel(() => ({ toolCalls: [{ name: 'nothing', arguments: {} }] }));
    const agent = defineAgent({ name: 'looper', model, maxTurns: 3, maxToolErrors: 10 });
    const runtime = bed.runtime({ workflows: [agent] });
    const run = await runtime.start(agent, 'loop');
    const info = await run.settled();
    expect(info.error).toMatchObject({
      code: 'max-turns',
      message: `[@cairn/core] run "${run.runId}": agent "looper" used maxTurns (3) model calls without a final answer`,
    });
    expect(model.calls).toBe(3);
  });

  it('takes a conversation as input and rejects malformed input with a clear error', async () => {
    const bed = agentBed();
    const model = createScriptedModel((request) => `I see ${request.messages.length} messages.`);
    const agent = defineAgent({ name: 'chat', model, instructions: 'Be brief.' });
    const runtime = bed.runtime({ workflows: [agent] });
    const run = await runtime.start(agent, {
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: 'How many messages?' },
      ],
    });
    expect(await run.result()).toBe('I see 4 messages.');
    expect(model.requests[0]!.messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
    const bad = await runtime.start(agent, { messages: [{ role: 'robot', content: 1 }] } as never);
    const info = await bad.settled();
    expect(info.error).toMatchObject({ code: 'invalid-argument' });
    expect(info.error?.message).toContain(`run "${bad.runId}": agent input must be a string or { messages`);
  });
});
