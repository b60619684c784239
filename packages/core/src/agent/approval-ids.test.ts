import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { systemClock } from '../engine/clock.ts';
import { createScriptedModel, type ScriptedReply } from '../models/scripted-model.ts';
import { createMemoryStore } from '../storage/memory-store.ts';
import { createAgent } from './agent.ts';
import { FAST_RETRY } from './agent-test-kit.ts';
import { tool } from './tool.ts';

// Each approval needs its own decision: a model-chosen call id never names the budget's approval
// (or any other id the engine mints), and the budget never borrows a tool call's decision.
function setup(script: ScriptedReply[]) {
  const sent: string[] = [];
  const send = tool({
    name: 'send',
    description: 'Send money',
    input: z.object({ to: z.string() }),
    needsApproval: true,
    execute: ({ to }) => {
      sent.push(to);
      return `sent to ${to}`;
    },
  });
  const note = tool({ name: 'note', description: '', input: z.object({}), execute: () => 'noted' });
  const model = createScriptedModel(script);
  const store = createMemoryStore();
  const agent = createAgent({
    model,
    tools: [send, note],
    store,
    budget: { maxTokens: 100 },
    runtime: { clock: systemClock, retry: FAST_RETRY },
  });
  return { agent, sent, model, store };
}

const costly = { inputTokens: 100, outputTokens: 10 };

describe('approval ids', () => {
  it('a tool call whose id is "budget#0" needs its own decision, and the budget still needs its own', async () => {
    const { agent, sent } = setup([
      { toolCalls: [{ id: 'budget#0', name: 'send', arguments: { to: 'ada' } }], usage: costly },
      { text: 'Done.', usage: costly },
    ]);
    const first = await agent.run('pay ada');
    expect(first).toMatchObject({ status: 'paused', pauseReason: 'approval' });
    if (first.status !== 'paused') throw new Error('unreachable');
    expect(first.pendingApprovals).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ kind: 'tool-call', callId: 'budget#0' }) }),
    ]);
    expect(sent).toEqual([]);

    // Approving by the model's call id still works (the agent maps it to the call's approval).
    const second = await agent.approve(first.runId, 'budget#0', { approved: true, by: 'ada@example.com' });
    expect(sent).toEqual(['ada']);
    // 110 tokens used of 100: the budget asks for its own decision, not the tool call's.
    expect(second).toMatchObject({ status: 'paused', pauseReason: 'budget' });
    if (second.status !== 'paused') throw new Error('unreachable');
    expect(second.pendingApprovals).toEqual([
      expect.objectContaining({ approvalId: 'budget#0', details: { kind: 'budget', usedTokens: 110, maxTokens: 100 } }),
    ]);
    expect(first.pendingApprovals[0]!.approvalId).not.toBe('budget#0');
    const third = await agent.approve(first.runId, 'budget#0', { approved: true, by: 'finance', data: { maxTokens: 1000 } });
    expect(third).toMatchObject({ status: 'completed', output: 'Done.' });
    const decisions = (await agent.runtime.history(first.runId)).filter((h) => h.kind === 'approval-decide');
    expect(decisions.map((d) => [d.key, d.approval?.by])).toEqual([
      [first.pendingApprovals[0]!.approvalId, 'ada@example.com'],
      ['budget#0', 'finance'],
    ]);
  });

  it('a tool call reusing the id of a decided budget approval ("budget#0") is not approved by it', async () => {
    const { agent, sent } = setup([
      { toolCalls: [{ name: 'note', arguments: {} }], usage: costly },
      { toolCalls: [{ id: 'budget#0', name: 'send', arguments: { to: 'eve' } }], usage: { inputTokens: 1, outputTokens: 1 } },
      'Done.',
    ]);
    const first = await agent.run('pay eve');
    expect(first).toMatchObject({ status: 'paused', pauseReason: 'budget' });
    const second = await agent.approve(first.runId, 'budget#0', { approved: true, by: 'finance', data: { maxTokens: 1000 } });
    // The model's call "budget#0" needs approval: the budget's decision is not it.
    expect(sent).toEqual([]);
    expect(second).toMatchObject({ status: 'paused', pauseReason: 'approval' });
    if (second.status !== 'paused') throw new Error('unreachable');
    const [pending] = second.pendingApprovals;
    expect(pending?.details).toMatchObject({ kind: 'tool-call', callId: 'budget#0' });
    const third = await agent.approve(first.runId, pending!.approvalId, { approved: false, by: 'ada', reason: 'no' });
    expect(third).toMatchObject({ status: 'completed', output: 'Done.' });
    expect(sent).toEqual([]);
  });

  it('ids the engine mints ("tool:send#0", "unknown:…") are never taken verbatim from the model', async () => {
    const { agent, sent } = setup([
      {
        toolCalls: [
          { id: 'bad id with spaces', name: 'send', arguments: { to: 'a' } },
          { id: 'tool:send#0', name: 'send', arguments: { to: 'b' } },
          { id: 'unknown:tool:send#0', name: 'send', arguments: { to: 'c' } },
          { id: 'call_plain', name: 'send', arguments: { to: 'd' } },
        ],
      },
      'Done.',
    ]);
    const first = await agent.run('pay everyone');
    if (first.status !== 'paused') throw new Error(`expected a pause, got ${first.status}`);
    const ids = first.pendingApprovals.map((p) => p.approvalId);
    expect(new Set(ids).size).toBe(4);
    // A plain id stays the approval id users know; the others get ids of the agent's own namespace.
    expect(ids[3]).toBe('call_plain');
    for (const id of ids.slice(0, 3)) expect(id).toMatch(/^tool:send#\d+$/);
    // Deciding one does not decide another.
    let result = await agent.approve(first.runId, ids[1]!, { approved: true, by: 'x' });
    expect(result.status).toBe('paused');
    if (result.status === 'paused') expect(result.pendingApprovals).toHaveLength(3);
    for (const id of [ids[0]!, ids[2]!, ids[3]!]) result = await agent.approve(first.runId, id, { approved: true, by: 'x' });
    expect(result).toMatchObject({ status: 'completed', output: 'Done.' });
    expect(sent.sort()).toEqual(['a', 'b', 'c', 'd']);
  });
});
