/**
 * Scenario 2, Cairn side: the real agent layer (`defineAgent`, `tool`, `createScriptedModel`)
 * running the shared workload (lib/agent-workload.ts) on one store, with snapshots of logical
 * bytes, bytes on disk and elapsed time at chosen turns.
 *
 * A turn is two steps: the model step (`retry`, one write) and the tool step (`once`, intent +
 * result: two writes).
 */
import { createRuntime, createScriptedModel, defineAgent, tool } from '@cairn/core';
import { z } from 'zod';
import { assistantText, FINAL_ANSWER, snapshotTurns, toolQuery, toolResult } from '../lib/agent-workload.ts';
import { countingStore } from '../lib/counting-store.ts';
import { openStore, type StoreKind } from '../lib/stores.ts';
import { type TurnPoint, turnProbe } from '../lib/turn-probe.ts';

/** One run of the workload and what the probe saw. */
export interface TurnSeries {
  framework: string;
  storage: string;
  turns: number;
  /** Steps per turn in this framework (2 for both: model + tool). */
  stepsPerTurn: number;
  totalMs: number;
  points: Map<number, TurnPoint>;
  /** Anything the reader must know about this row. */
  note?: string;
}

/** Run `turns` agent turns on a fresh store of `kind`. */
export async function cairnAgentTurns(kind: StoreKind, turns: readonly number[]): Promise<TurnSeries> {
  const length = Math.max(...turns);
  const opened = openStore(kind, `agent-${kind}`);
  const counting = countingStore(opened.store);
  const probe = turnProbe(snapshotTurns(turns), {
    logical: () => counting.counts.logicalBytes,
    // The file store allocates space ahead; count the bytes that hold records.
    disk: () => opened.usedBytes(),
  });
  let turn = 0;
  const lookup = tool({
    name: 'lookup',
    description: 'Look a record up',
    input: z.object({ query: z.string() }),
    execute: () => {
      probe.at(++turn);
      return toolResult(turn);
    },
  });
  const model = createScriptedModel((_request, info) =>
    info.turn < length
      ? { text: assistantText(info.turn + 1), toolCalls: [{ name: 'lookup', arguments: { query: toolQuery(info.turn + 1) } }] }
      : FINAL_ANSWER,
  );
  const agent = defineAgent({ name: 'bench-agent', model, tools: [lookup], maxTurns: length + 1, stream: false });
  const runtime = createRuntime({ store: counting.store, workflows: [agent] });
  probe.start();
  const output = await (await runtime.start(agent, 'Look up every record.')).result();
  const totalMs = probe.stop();
  await runtime.close();
  await opened.close();
  if (output !== FINAL_ANSWER) throw new Error(`agent answered ${JSON.stringify(output)}`);
  return { framework: 'Cairn agent', storage: kind, turns: length, stepsPerTurn: 2, totalMs, points: probe.points };
}
