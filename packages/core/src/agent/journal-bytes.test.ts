import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkReplay } from '../engine/check-replay.ts';
import { createScriptedModel } from '../models/scripted-model.ts';
import { agentBed, measuringStore } from './agent-test-kit.ts';
import { defineAgent } from './define-agent.ts';
import { tool } from './tool.ts';

const TURNS = 500;

/** Bytes appended per turn: a turn is a model step-end and everything appended until the next one. */
function bytesPerTurn(appended: ReturnType<typeof measuringStore>['appended']): number[] {
  const turns: number[] = [];
  for (const entry of appended) {
    if (entry.kind === 'step-end' && entry.key.startsWith('model#')) turns.push(0);
    if (turns.length > 0) turns[turns.length - 1]! += entry.bytes;
  }
  return turns;
}

describe('journal size', () => {
  it(`writes the same bytes per turn at turn ${TURNS} as at turn 10: the conversation is never rewritten`, async () => {
    const bed = agentBed();
    const { store, appended } = measuringStore(bed.store);
    let notes = 0;
    const note = tool({
      name: 'note',
      description: 'Take a note',
      input: z.object({ text: z.string() }),
      execute: () => {
        notes++;
        return 'noted';
      },
    });
    const model = createScriptedModel((_request, { turn }) =>
      turn < TURNS
        ? {
            text: 'Noting the next observation now.',
            toolCalls: [{ name: 'note', arguments: { text: 'an observation of constant size' } }],
            usage: { inputTokens: 1000, outputTokens: 20 },
          }
        : { text: 'All noted.', usage: { inputTokens: 1000, outputTokens: 20 } },
    );
    const agent = defineAgent({ name: 'notetaker', model, tools: [note], maxTurns: TURNS + 1, stream: false });
    const runtime = bed.runtime({ workflows: [agent], store });
    const run = await runtime.start(agent, 'Take notes.');
    expect(await run.result()).toBe('All noted.');
    const turns = bytesPerTurn(appended);
    expect(turns).toHaveLength(TURNS + 1);
    const [turn1, turn10, turn100, turn500] = [turns[0]!, turns[9]!, turns[99]!, turns[TURNS - 1]!];
    console.log(`bytes per turn: turn 1 ${turn1}, turn 10 ${turn10}, turn 100 ${turn100}, turn ${TURNS} ${turn500}`);
    expect(turn500).toBeLessThanOrEqual(1.1 * turn10);
    expect(turn100).toBeLessThanOrEqual(1.1 * turn10);
    // Each turn holds one model reply and one tool call (intent + result), nothing more.
    expect(appended.filter((e) => e.kind === 'step-end' && e.key.startsWith('tool:'))).toHaveLength(TURNS);
    expect(Math.max(...turns.slice(0, TURNS))).toBeLessThan(600);

    // Replaying all of it (a fork just before run-end) rebuilds the conversation with no model or tool call.
    const calls = model.calls;
    const lastSeq = (await runtime.get(run.runId)).lastSeq;
    const started = Date.now();
    const fork = await runtime.fork(run.runId, { atSeq: lastSeq - 1 });
    expect(await fork.result()).toBe('All noted.');
    console.log(`replayed ${TURNS} turns (${lastSeq - 2} entries) in ${Date.now() - started} ms`);
    expect(model.calls).toBe(calls);
    expect(notes).toBe(TURNS);

    // checkReplay walks the same journal without executing anything (ADR 0103).
    const checkStarted = Date.now();
    const report = await checkReplay({ workflows: [agent], store, select: { runIds: [run.runId] }, clock: bed.clock });
    console.log(`checkReplay of ${TURNS} turns (${lastSeq} entries) in ${Date.now() - checkStarted} ms`);
    expect(report.runs[0]).toMatchObject({ compatible: true, stoppedAt: 'returned', recordedCalls: 2 * TURNS + 1 });
    expect(model.calls).toBe(calls);
    expect(notes).toBe(TURNS);
  });

  it('rebuilds the conversation from the journal: a resumed run sends the request an uninterrupted run sends', async () => {
    function build(needsApproval: boolean) {
      const lookup = tool({
        name: 'lookup',
        description: 'Look a key up',
        input: z.object({ key: z.string() }),
        execute: ({ key }) => ({ key, value: key.toUpperCase() }),
      });
      const publish = tool({
        name: 'publish',
        description: 'Publish',
        input: z.object({}),
        needsApproval,
        execute: () => 'published',
      });
      const model = createScriptedModel((_request, { turn }) =>
        turn < 4
          ? { text: `turn ${turn}`, toolCalls: [{ name: 'lookup', arguments: { key: `k${turn}` } }] }
          : turn === 4
            ? { toolCalls: [{ name: 'publish' }] }
            : 'Published.',
      );
      const agent = defineAgent({ name: 'publisher', model, tools: [lookup, publish], instructions: 'Look up, then publish.' });
      return { agent, model };
    }
    const bed = agentBed();
    const live = build(false);
    const liveRuntime = bed.runtime({ workflows: [live.agent] });
    const liveRun = await liveRuntime.start(live.agent, 'go');
    expect(await liveRun.result()).toBe('Published.');

    const paused = build(true);
    const first = bed.runtime({ workflows: [paused.agent], owner: 'first' });
    const run = await first.start(paused.agent, 'go');
    expect((await run.settled()).status).toBe('paused');
    await first.close();
    const resumed = build(true);
    const second = bed.runtime({ store: bed.peerStore(), workflows: [resumed.agent], owner: 'second' });
    await second.approve(run.runId, 'call_4_0', { approved: true, by: 'ada' });
    expect(await second.handle(run.runId).result()).toBe('Published.');
    // The resumed process made exactly one call, with the same conversation the live run sent.
    expect(resumed.model.calls).toBe(1);
    expect(resumed.model.requests[0]).toEqual(live.model.requests[5]);
    const hashes = async (runId: string, runtime: typeof first) =>
      (await runtime.history(runId)).filter((h) => h.key.startsWith('model#')).map((h) => (h.value as { h: string }).h);
    const resumedHashes = await hashes(run.runId, second);
    expect(resumedHashes).toHaveLength(6);
    expect(new Set(resumedHashes).size).toBe(6);
    expect(resumedHashes).toEqual(await hashes(liveRun.runId, liveRuntime));
  });
});
