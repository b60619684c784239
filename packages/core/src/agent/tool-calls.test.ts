import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createScriptedModel } from '../models/scripted-model.ts';
import { agentBed, waitFor } from './agent-test-kit.ts';
import { defineAgent } from './define-agent.ts';
import { tool } from './tool.ts';

function toolMessages(model: ReturnType<typeof createScriptedModel>, call: number): string[] {
  return model.requests[call]!.messages.flatMap((m) => (m.role === 'tool' ? [m.content] : []));
}

describe('tool calls', () => {
  it('sends bad JSON, schema failures and unknown tools back to the model, and runs only valid calls', async () => {
    const bed = agentBed();
    const executed: unknown[] = [];
    const add = tool({
      name: 'add',
      description: 'Add two numbers',
      input: z.object({ a: z.number(), b: z.number() }),
      execute: ({ a, b }) => {
        executed.push({ a, b });
        return a + b;
      },
    });
    const model = createScriptedModel([
      { toolCalls: [{ name: 'add', arguments: '{"a": 1,' }] },
      { toolCalls: [{ name: 'add', arguments: { a: 'one', b: 2 } }] },
      { toolCalls: [{ name: 'multiply', arguments: { a: 1, b: 2 } }] },
      { toolCalls: [{ name: 'add', arguments: { a: 1, b: 2 } }] },
      'The sum is 3.',
    ]);
    const agent = defineAgent({ name: 'calc', model, tools: [add] });
    const runtime = bed.runtime({ workflows: [agent] });
    const run = await runtime.start(agent, 'What is 1 + 2?');
    expect(await run.result()).toBe('The sum is 3.');
    expect(toolMessages(model, 1)).toEqual([
      'Error: the arguments of this call to "add" are not valid JSON. Call it again with a JSON object.',
    ]);
    expect(toolMessages(model, 2)[1]).toMatch(/^Error: invalid arguments for tool "add": a: Invalid input: expected number/);
    expect(toolMessages(model, 3)[2]).toBe('Error: there is no tool named "multiply". Available tools: add.');
    expect(toolMessages(model, 4)[3]).toBe('3');
    expect(executed).toEqual([{ a: 1, b: 2 }]);
    const keys = (await runtime.history(run.runId)).map((h) => `${h.kind}:${h.key}`);
    expect(keys.filter((k) => k.includes('tool:'))).toEqual(['step-start:tool:add#0', 'step-end:tool:add#0']);
  });

  it("records the call id a tool step served as its label, and leaves out a hostile model's call id too long for one", async () => {
    const bed = agentBed();
    const add = tool({ name: 'add', description: '', input: z.object({ a: z.number() }), execute: ({ a }) => a + 1 });
    const longId = `call_${'x'.repeat(5000)}`;
    const model = createScriptedModel([
      {
        toolCalls: [
          { id: 'call_short', name: 'add', arguments: { a: 1 } },
          { id: longId, name: 'add', arguments: { a: 2 } },
        ],
      },
      'Done.',
    ]);
    const agent = defineAgent({ name: 'labels', model, tools: [add] });
    const runtime = bed.runtime({ workflows: [agent] });
    const run = await runtime.start(agent, 'go');
    expect(await run.result()).toBe('Done.');
    const ends = (await runtime.history(run.runId)).filter((h) => h.kind === 'step-end' && h.key.startsWith('tool:'));
    expect(ends.map((h) => [h.key, h.label, h.value])).toEqual([
      ['tool:add#0', 'call_short', 2],
      ['tool:add#1', undefined, 3],
    ]);
  });

  it('fails the run with a clear ToolError once tool errors in a row exceed maxToolErrors', async () => {
    const bed = agentBed();
    const add = tool({ name: 'add', description: '', input: z.object({ a: z.number() }), execute: ({ a }) => a });
    const model = createScriptedModel(() => ({ toolCalls: [{ name: 'add', arguments: { a: 'secret-value-123' } }] }));
    const agent = defineAgent({ name: 'stubborn', model, tools: [add], maxToolErrors: 2 });
    const runtime = bed.runtime({ workflows: [agent] });
    const run = await runtime.start(agent, 'go');
    const info = await run.settled();
    expect(info.status).toBe('failed');
    expect(info.error).toMatchObject({ code: 'tool-error', name: 'ToolError' });
    expect(info.error?.message).toContain(`run "${run.runId}"`);
    expect(info.error?.message).toContain('3 tool errors in a row (maxToolErrors 2)');
    expect(info.error?.message).toContain('invalid arguments for tool "add"');
    expect(info.error?.message).not.toContain('secret-value-123');
    expect(model.calls).toBe(3);
  });

  it('sends a failing tool’s error to the model, and a success resets the error count', async () => {
    const bed = agentBed();
    let attempts = 0;
    const flaky = tool({
      name: 'fetch_page',
      description: '',
      input: z.object({ url: z.string() }),
      retry: false,
      execute: ({ url }) => {
        attempts++;
        if (url === 'bad') throw new Error('HTTP 404 from upstream');
        return 'page text';
      },
    });
    const model = createScriptedModel([
      { toolCalls: [{ name: 'fetch_page', arguments: { url: 'bad' } }] },
      { toolCalls: [{ name: 'fetch_page', arguments: { url: 'bad' } }] },
      { toolCalls: [{ name: 'fetch_page', arguments: { url: 'good' } }] },
      { toolCalls: [{ name: 'fetch_page', arguments: { url: 'bad' } }] },
      'done',
    ]);
    const agent = defineAgent({ name: 'reader', model, tools: [flaky], maxToolErrors: 2 });
    const runtime = bed.runtime({ workflows: [agent] });
    const run = await runtime.start(agent, 'read');
    expect(await run.result()).toBe('done');
    expect(toolMessages(model, 1)).toEqual(['Error: tool "fetch_page" failed: HTTP 404 from upstream']);
    expect(attempts).toBe(4);
  });

  it('runs parallel calls concurrently under deterministic ids that replay in another runtime', async () => {
    const bed = agentBed();
    const log: string[] = [];
    const slow = tool({
      name: 'slow',
      description: '',
      input: z.object({ ms: z.number() }),
      execute: async ({ ms }, ctx) => {
        log.push(`start ${ctx.callId}`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`end ${ctx.callId}`);
        return `slept ${ms}`;
      },
    });
    const publish = tool({
      name: 'publish',
      description: '',
      input: z.object({}),
      needsApproval: true,
      execute: () => 'published',
    });
    const model = createScriptedModel([
      { toolCalls: [30, 5, 15].map((ms) => ({ name: 'slow', arguments: { ms } })) },
      { toolCalls: [{ name: 'publish', arguments: {} }] },
      'all done',
    ]);
    const agent = defineAgent({ name: 'parallel', model, tools: [slow, publish] });
    const first = bed.runtime({ workflows: [agent], owner: 'first' });
    const run = await first.start(agent, 'go');
    expect((await run.settled()).status).toBe('paused');
    expect(log.slice(0, 3)).toEqual(['start call_0_0', 'start call_0_1', 'start call_0_2']);
    const history = await first.history(run.runId);
    expect(history.filter((h) => h.kind === 'step-end' && h.key.startsWith('tool:')).map((h) => h.key)).toEqual([
      'tool:slow#1',
      'tool:slow#2',
      'tool:slow#0',
    ]);
    expect(toolMessages(model, 1)).toEqual(['slept 30', 'slept 5', 'slept 15']);
    await first.close();

    const second = bed.runtime({ store: bed.peerStore(), workflows: [agent], owner: 'second' });
    await second.approve(run.runId, 'call_1_0', { approved: true, by: 'ada' });
    expect(await second.handle(run.runId).result()).toBe('all done');
    expect(log.filter((l) => l.startsWith('start'))).toHaveLength(3);
    expect(model.calls).toBe(3);
  });

  it('tells the model when a call’s outcome is unknown after a crash, without running it again', async () => {
    const bed = agentBed();
    const keys: string[] = [];
    let hang = true;
    const charge = tool({
      name: 'charge',
      description: '',
      input: z.object({ cents: z.number() }),
      execute: async (_input, ctx) => {
        keys.push(ctx.idempotencyKey);
        if (hang) await new Promise(() => {});
        return 'charged';
      },
    });
    const model = createScriptedModel([{ toolCalls: [{ name: 'charge', arguments: { cents: 500 } }] }, 'I will check.']);
    const agent = defineAgent({ name: 'shop', model, tools: [charge] });
    const first = bed.runtime({ workflows: [agent], owner: 'worker' });
    const run = await first.start(agent, 'buy');
    await waitFor(() => keys.length === 1);
    await first.close();
    hang = false;
    const second = bed.runtime({ store: bed.peerStore(), workflows: [agent], owner: 'worker' });
    await second.resume(run.runId);
    expect(await second.handle(run.runId).result()).toBe('I will check.');
    expect(keys).toHaveLength(1);
    expect(toolMessages(model, 1)[0]).toMatch(/^Error: the outcome of this call is unknown/);
  });

  it('follows onUnknown: retry with the same idempotency key, reconcile, or fail the run', async () => {
    for (const policy of ['retry', 'reconcile', 'fail'] as const) {
      const bed = agentBed();
      const keys: string[] = [];
      let hang = true;
      const charge = tool({
        name: 'charge',
        description: '',
        input: z.object({ cents: z.number() }),
        onUnknown:
          policy === 'reconcile'
            ? async ({ idempotencyKey, callId }) => ({ completed: true, result: `found ${callId} ${idempotencyKey === keys[0]}` })
            : policy,
        execute: async (_input, ctx) => {
          keys.push(ctx.idempotencyKey);
          if (hang) await new Promise(() => {});
          return 'charged';
        },
      });
      const model = createScriptedModel([{ toolCalls: [{ name: 'charge', arguments: { cents: 500 } }] }, 'ok']);
      const agent = defineAgent({ name: 'shop', model, tools: [charge] });
      const first = bed.runtime({ workflows: [agent], owner: 'worker' });
      const run = await first.start(agent, 'buy');
      await waitFor(() => keys.length === 1);
      await first.close();
      hang = false;
      const second = bed.runtime({ store: bed.peerStore(), workflows: [agent], owner: 'worker' });
      await second.resume(run.runId);
      const info = await second.handle(run.runId).settled();
      if (policy === 'fail') {
        expect(info.status).toBe('failed');
        expect(info.error?.code).toBe('outcome-unknown');
        continue;
      }
      expect(info.status).toBe('completed');
      if (policy === 'retry') {
        expect(keys).toHaveLength(2);
        expect(keys[1]).toBe(keys[0]);
        expect(toolMessages(model, 1)).toEqual(['charged']);
      } else {
        expect(keys).toHaveLength(1);
        expect(toolMessages(model, 1)).toEqual(['found call_0_0 true']);
      }
    }
  });
});
