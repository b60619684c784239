import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createScriptedModel } from '../models/scripted-model.ts';
import { agentBed } from './agent-test-kit.ts';
import { defineAgent } from './define-agent.ts';
import { tool } from './tool.ts';

function refundAgent(options: { approvalTimeoutMs?: number } = {}) {
  const refunds: number[] = [];
  const lookups: string[] = [];
  const refund = tool({
    name: 'refund',
    description: 'Refund an order',
    input: z.object({ orderId: z.string(), amount: z.number().positive() }),
    needsApproval: ({ amount }) => amount > 100,
    ...(options.approvalTimeoutMs !== undefined ? { approvalTimeoutMs: options.approvalTimeoutMs } : {}),
    execute: ({ amount }) => {
      refunds.push(amount);
      return { refunded: amount };
    },
  });
  const lookup = tool({
    name: 'lookup',
    description: 'Look an order up',
    input: z.object({ orderId: z.string() }),
    execute: ({ orderId }) => {
      lookups.push(orderId);
      return { orderId, status: 'delivered' };
    },
  });
  const model = createScriptedModel([
    {
      toolCalls: [
        { name: 'lookup', arguments: { orderId: 'A1' } },
        { name: 'refund', arguments: { orderId: 'A1', amount: 150 } },
        { name: 'refund', arguments: { orderId: 'A1', amount: 20 } },
      ],
    },
    'Handled.',
  ]);
  const agent = defineAgent({ name: 'support', model, tools: [lookup, refund] });
  return { agent, model, refunds, lookups };
}

describe('approvals', () => {
  it('pauses on a call that needs approval, shows it, and continues when approved from another runtime', async () => {
    const bed = agentBed();
    const { agent, model, refunds, lookups } = refundAgent();
    const first = bed.runtime({ workflows: [agent], owner: 'first' });
    const run = await first.start(agent, 'Refund A1');
    const paused = await run.settled();
    expect(paused).toMatchObject({ status: 'paused', pauseReason: 'approval' });
    expect(paused.pendingApprovals).toEqual([
      expect.objectContaining({
        approvalId: 'call_0_1',
        reason: 'approval',
        details: { kind: 'tool-call', tool: 'refund', callId: 'call_0_1', arguments: { orderId: 'A1', amount: 150 } },
      }),
    ]);
    // The batch waits for its approvals: nothing ran yet.
    expect([refunds, lookups]).toEqual([[], []]);
    await first.close();

    const second = bed.runtime({ store: bed.peerStore(), workflows: [agent], owner: 'second' });
    await second.approve(run.runId, 'call_0_1', { approved: true, by: 'ada@example.com', reason: 'loyal customer' });
    expect(await second.handle(run.runId).result()).toBe('Handled.');
    expect(refunds.sort((a, b) => a - b)).toEqual([20, 150]);
    expect(lookups).toEqual(['A1']);
    const decision = (await second.history(run.runId)).find((h) => h.kind === 'approval-decide');
    expect(decision).toMatchObject({
      key: 'call_0_1',
      approval: { approved: true, by: 'ada@example.com', reason: 'loyal customer' },
    });
    expect(decision?.approval?.at).toBeTypeOf('number');
    expect(model.requests[1]!.messages.filter((m) => m.role === 'tool').map((m) => m.content)).toEqual([
      '{"orderId":"A1","status":"delivered"}',
      '{"refunded":150}',
      '{"refunded":20}',
    ]);
  });

  it('turns a rejection into a tool result naming who rejected it and why', async () => {
    const bed = agentBed();
    const { agent, model, refunds } = refundAgent();
    const runtime = bed.runtime({ workflows: [agent] });
    const run = await runtime.start(agent, 'Refund A1');
    await run.settled();
    await runtime.approve(run.runId, 'call_0_1', { approved: false, by: 'bob', reason: 'over the limit' });
    expect(await run.result()).toBe('Handled.');
    expect(refunds).toEqual([20]);
    expect(model.requests[1]!.messages.find((m) => m.role === 'tool' && m.toolCallId === 'call_0_1')?.content).toBe(
      'The call was rejected by bob (reason: over the limit) and was not executed. Do not retry it unchanged.',
    );
  });

  it('lets the approver edit the arguments, validated against the schema', async () => {
    const bed = agentBed();
    const { agent, refunds } = refundAgent();
    const runtime = bed.runtime({ workflows: [agent] });
    const run = await runtime.start(agent, 'Refund A1');
    await run.settled();
    await runtime.approve(run.runId, 'call_0_1', { approved: true, by: 'ada', data: { input: { orderId: 'A1', amount: 99 } } });
    expect(await run.result()).toBe('Handled.');
    expect(refunds.sort((a, b) => a - b)).toEqual([20, 99]);
  });

  it('expires an undecided approval with the default decision (reject), durably', async () => {
    const bed = agentBed();
    const { agent, model, refunds } = refundAgent({ approvalTimeoutMs: 60_000 });
    const runtime = bed.runtime({ workflows: [agent], clock: bed.clock });
    const run = await runtime.start(agent, 'Refund A1');
    const paused = await run.settled();
    expect(paused.wakeAt).toBe(bed.clock.now() + 60_000);
    expect(paused.pendingApprovals?.[0]?.expiresAt).toBe(bed.clock.now() + 60_000);
    await bed.clock.advance(60_000);
    expect(await run.result()).toBe('Handled.');
    expect(refunds).toEqual([20]);
    expect(model.requests[1]!.messages.find((m) => m.role === 'tool' && m.toolCallId === 'call_0_1')?.content).toBe(
      'The approval request for this call expired without a decision; the call was not executed.',
    );
    const decision = (await runtime.history(run.runId)).find((h) => h.kind === 'approval-decide');
    expect(decision?.approval).toMatchObject({ approved: false, by: 'cairn:expired' });
  });

  it('keeps ids deterministic when parallel approvals are decided in the opposite order', async () => {
    const bed = agentBed();
    const ran: string[] = [];
    const send = tool({
      name: 'send',
      description: '',
      input: z.object({ to: z.string() }),
      needsApproval: true,
      execute: ({ to }) => {
        ran.push(to);
        return `sent to ${to}`;
      },
    });
    const model = createScriptedModel([
      { toolCalls: ['ada', 'bob', 'eve'].map((to) => ({ name: 'send', arguments: { to } })) },
      'Sent.',
    ]);
    const agent = defineAgent({ name: 'mailer', model, tools: [send] });
    const runtime = bed.runtime({ workflows: [agent] });
    const run = await runtime.start(agent, 'mail everyone');
    expect((await run.settled()).pendingApprovals?.map((p) => p.approvalId)).toEqual(['call_0_0', 'call_0_1', 'call_0_2']);
    await runtime.approve(run.runId, 'call_0_2', { approved: true, by: 'x' });
    expect((await runtime.handle(run.runId).settled()).pendingApprovals?.map((p) => p.approvalId)).toEqual([
      'call_0_0',
      'call_0_1',
    ]);
    await runtime.approve(run.runId, 'call_0_1', { approved: false, by: 'x' });
    await runtime.handle(run.runId).settled();
    await runtime.approve(run.runId, 'call_0_0', { approved: true, by: 'x' });
    expect(await run.result()).toBe('Sent.');
    expect(ran.sort()).toEqual(['ada', 'eve']);
    const info = await runtime.get(run.runId);
    expect(info.status).toBe('completed');
  });
});
