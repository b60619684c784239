import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createScriptedModel } from '../models/scripted-model.ts';
import { createAgent } from './agent.ts';
import { agentBed, eventLog, FAST_RETRY } from './agent-test-kit.ts';
import { defineAgent } from './define-agent.ts';
import { tool } from './tool.ts';

// Every turn costs 100 + 10 tokens; turns 0-4 call `step`, turn 5 answers.
function meteredModel() {
  return createScriptedModel((_request, { turn }) =>
    turn < 5
      ? { toolCalls: [{ name: 'step', arguments: { n: turn } }], usage: { inputTokens: 100, outputTokens: 10 } }
      : { text: 'finished', usage: { inputTokens: 100, outputTokens: 10 } },
  );
}
const step = tool({ name: 'step', description: '', input: z.object({ n: z.number() }), execute: ({ n }) => n });

describe('budget and usage ledger', () => {
  it('pauses with reason budget once the run used its tokens, and continues with a raised budget', async () => {
    const bed = agentBed();
    const model = meteredModel();
    const agent = defineAgent({ name: 'metered', model, tools: [step], budget: { maxTokens: 250 } });
    const runtime = bed.runtime({ workflows: [agent] });
    const run = await runtime.start(agent, 'go');
    const paused = await run.settled();
    expect(paused).toMatchObject({ status: 'paused', pauseReason: 'budget' });
    expect(paused.usage).toMatchObject({ totalTokens: 330, modelCalls: 3 });
    expect(paused.pendingApprovals).toEqual([
      expect.objectContaining({
        approvalId: 'budget#0',
        reason: 'budget',
        details: { kind: 'budget', usedTokens: 330, maxTokens: 250 },
      }),
    ]);
    expect(model.calls).toBe(3);
    await runtime.approve(run.runId, 'budget#0', { approved: true, by: 'finance', data: { maxTokens: 10_000 } });
    expect(await run.result()).toBe('finished');
    expect(model.calls).toBe(6);
  });

  it('raises by another maxTokens when approved without a limit, and fails with budget-exceeded when rejected', async () => {
    const bed = agentBed();
    const agent = defineAgent({ name: 'metered', model: meteredModel(), tools: [step], budget: { maxTokens: 220 } });
    const runtime = bed.runtime({ workflows: [agent] });
    const run = await runtime.start(agent, 'go');
    expect((await run.settled()).pendingApprovals?.[0]?.details).toEqual({ kind: 'budget', usedTokens: 220, maxTokens: 220 });
    await runtime.approve(run.runId, 'budget#0', { approved: true, by: 'finance' });
    // 220 used + 220 granted = 440: turns 2 and 3 run (440), the gate closes again before turn 4.
    const again = await runtime.handle(run.runId).settled();
    expect(again.pendingApprovals?.[0]).toMatchObject({ approvalId: 'budget#1', details: { usedTokens: 440, maxTokens: 440 } });
    await runtime.approve(run.runId, 'budget#1', { approved: false, by: 'finance' });
    const failed = await runtime.handle(run.runId).settled();
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'budget-exceeded', name: 'BudgetExceededError' });
    expect(failed.error?.message).toBe(
      `[@cairn/core] run "${run.runId}": token budget of 440 exceeded (440 used); raising it was rejected by finance`,
    );
  });

  it('records tokens per model step, totals, and tokens saved by replay on every resume', async () => {
    const bed = agentBed();
    const log = eventLog();
    const first = createAgent({
      name: 'metered',
      model: meteredModel(),
      tools: [step],
      budget: { maxTokens: 250 },
      store: bed.store,
      runtime: { owner: 'first', retry: FAST_RETRY },
    });
    const paused = await first.run('go');
    expect(paused.status).toBe('paused');
    await first.close();
    const model = meteredModel();
    const second = createAgent({
      name: 'metered',
      model,
      tools: [step],
      budget: { maxTokens: 250 },
      store: bed.peerStore(),
      runtime: { owner: 'second', retry: FAST_RETRY, onEvent: log.onEvent },
    });
    const done = await second.approve(paused.runId, 'budget#0', { approved: true, by: 'finance', data: { maxTokens: 1000 } });
    expect(done).toMatchObject({ status: 'completed', output: 'finished' });
    expect(model.calls).toBe(3);
    expect(log.events.filter((e) => e.type === 'replay-end')).toEqual([
      expect.objectContaining({ replayedSteps: 6, savedTokens: 330 }),
    ]);
    expect(done.usage).toEqual({ inputTokens: 600, outputTokens: 60, totalTokens: 660, savedTokens: 330, modelCalls: 6 });
    const ledger = await second.ledger(paused.runId);
    expect(ledger.steps.map((s) => [s.stepId, s.inputTokens, s.outputTokens])).toEqual(
      [0, 1, 2, 3, 4, 5].map((n) => [`model#${n}`, 100, 10]),
    );
    expect(ledger.total).toEqual(done.usage);
    await second.close();
  });
});
