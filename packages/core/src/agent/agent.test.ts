import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CairnError, RunFailedError } from '../errors.ts';
import { createScriptedModel } from '../models/scripted-model.ts';
import { createMemoryBacking, createMemoryStore } from '../storage/memory-store.ts';
import { Agent } from './agent.ts';
import { FAST_RETRY, waitFor } from './agent-test-kit.ts';
import { tool } from './tool.ts';

const add = tool({
  name: 'add',
  description: 'Add two numbers',
  input: z.object({ a: z.number(), b: z.number() }),
  execute: ({ a, b }) => a + b,
});

describe('Agent (the simple path)', () => {
  it('runs to a result with new Agent({ model, tools, store, instructions })', async () => {
    const model = createScriptedModel([{ toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] }, 'The sum is 5.']);
    const agent = new Agent({ model, tools: [add], store: createMemoryStore(), instructions: 'Use the tools.' });
    const result = await agent.run('What is 2 + 3?');
    expect(result).toMatchObject({ status: 'completed', output: 'The sum is 5.', usage: { modelCalls: 2 } });
    expect((await agent.runtime.get(result.runId)).status).toBe('completed');
    expect(agent.name).toBe('agent');
    await agent.close();
  });

  it('throws an error carrying the run id when the run fails', async () => {
    const failing = createScriptedModel(() => {
      throw new CairnError('model-error', '[@cairn/core] model "m": HTTP 401 (invalid_api_key): check the API key');
    });
    const agent = new Agent({ model: failing, store: createMemoryStore() });
    const error = await agent.run('hi').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunFailedError);
    const runId = (error as RunFailedError).runId;
    expect(runId).toMatch(/^run_/);
    expect((error as Error).message).toBe(
      `[@cairn/core] run "${runId}" failed: [@cairn/core] run "${runId}": model "m": HTTP 401 (invalid_api_key): check the API key`,
    );
    expect(((error as Error).cause as CairnError).code).toBe('model-error');
    expect(failing.calls).toBe(1);
    await agent.close();
  });

  it('resumes a run from another Agent on the same store after the first one stopped mid-call', async () => {
    const backing = createMemoryBacking();
    let release: (() => void) | undefined;
    const hanging = createScriptedModel(async () => {
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return 'never journaled';
    });
    const first = new Agent({ model: hanging, store: createMemoryStore({ backing }), runtime: { leaseMs: 60 } });
    const pending = first.run('hello', { runId: 'run_resume_me' });
    await waitFor(() => release !== undefined);
    await first.close();
    expect((await pending).status).toBe('running');
    release?.();

    const model = createScriptedModel(['Hello again.']);
    const second = new Agent({ model, store: createMemoryStore({ backing }), runtime: { retry: FAST_RETRY } });
    await new Promise((r) => setTimeout(r, 80));
    const result = await second.resume('run_resume_me');
    expect(result).toMatchObject({ status: 'completed', output: 'Hello again.' });
    expect(model.calls).toBe(1);
    await second.close();
  });

  it('approves a paused call from another Agent and reports pending approvals', async () => {
    const backing = createMemoryBacking();
    const sent: string[] = [];
    const send = tool({
      name: 'send_email',
      description: 'Send an e-mail',
      input: z.object({ to: z.string() }),
      needsApproval: true,
      execute: ({ to }) => {
        sent.push(to);
        return 'sent';
      },
    });
    const script = [{ toolCalls: [{ name: 'send_email', arguments: { to: 'ada@example.com' } }] }, 'E-mail sent.'];
    const first = new Agent({ model: createScriptedModel(script), tools: [send], store: createMemoryStore({ backing }) });
    const paused = await first.run('Mail Ada');
    expect(paused).toMatchObject({ status: 'paused', pauseReason: 'approval', output: undefined });
    if (paused.status !== 'paused') throw new Error('expected a pause');
    expect(paused.pendingApprovals.map((p) => [p.approvalId, p.details])).toEqual([
      ['call_0_0', { kind: 'tool-call', tool: 'send_email', callId: 'call_0_0', arguments: { to: 'ada@example.com' } }],
    ]);
    await first.close();

    const second = new Agent({ model: createScriptedModel(script), tools: [send], store: createMemoryStore({ backing }) });
    const done = await second.approve(paused.runId, 'call_0_0', { approved: true, by: 'ada@example.com' });
    expect(done).toMatchObject({ status: 'completed', output: 'E-mail sent.' });
    expect(sent).toEqual(['ada@example.com']);
    await second.close();
  });

  it('starts one run per idempotency key', async () => {
    const model = createScriptedModel(['once']);
    const agent = new Agent({ model, store: createMemoryStore() });
    const a = await agent.run('hi', { idempotencyKey: 'order-42' });
    const b = await agent.run('hi', { idempotencyKey: 'order-42' });
    expect(b.runId).toBe(a.runId);
    expect(b.output).toBe('once');
    expect(model.calls).toBe(1);
    await agent.close();
  });
});
