/**
 * Scenario 2, LangGraph side: the same workload as a LangGraph.js `StateGraph` over
 * `MessagesAnnotation` (a model node and a tools node), checkpointed by `MemorySaver` or by
 * `SqliteSaver` on a file, with `durability: 'sync'` so that, as in Cairn, a step's state is
 * saved before the next step starts (LangGraph's default, `'async'`, saves while the next step runs).
 *
 * Bytes: "logical" = bytes the saver's serializer produced (checkpoints and pending writes);
 * "disk" = SQLite db + wal after a checkpoint, or for `MemorySaver` the bytes held in its
 * storage and writes maps.
 */
import { join } from 'node:path';
import { AIMessage, type BaseMessage, ToolMessage } from '@langchain/core/messages';
import { END, MemorySaver, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { assistantText, FINAL_ANSWER, snapshotTurns, toolQuery, toolResult } from '../lib/agent-workload.ts';
import { apparentSize, tempDir } from '../lib/temp-dir.ts';
import { turnProbe } from '../lib/turn-probe.ts';
import type { TurnSeries } from './cairn-agent-turns.ts';

type Serde = BaseCheckpointSaver['serde'];

/** Count every byte the saver's serializer produces. */
function countSerializedBytes(saver: BaseCheckpointSaver): () => number {
  let total = 0;
  const inner: Serde = saver.serde;
  const counting: Serde = {
    async dumpsTyped(data: unknown) {
      const result = await inner.dumpsTyped(data);
      total += result[1].byteLength;
      return result;
    },
    loadsTyped: (type: string, data: Uint8Array | string) => inner.loadsTyped(type, data),
  };
  (saver as { serde: Serde }).serde = counting;
  return () => total;
}

/** Bytes a MemorySaver holds: every serialized checkpoint, metadata and pending write. */
function memorySaverBytes(saver: MemorySaver): number {
  let total = 0;
  for (const namespaces of Object.values(saver.storage))
    for (const checkpoints of Object.values(namespaces))
      for (const [checkpoint, metadata] of Object.values(checkpoints)) total += checkpoint.byteLength + metadata.byteLength;
  for (const writes of Object.values(saver.writes)) for (const [, , value] of Object.values(writes)) total += value.byteLength;
  return total;
}

/**
 * db + wal bytes after a checkpoint made through the saver's own connection. Never through a
 * `node:sqlite` connection: two SQLite libraries in one process do not share POSIX locks, so the
 * other library's close would drop better-sqlite3's locks and delete the WAL it is writing to.
 */
function saverDiskBytes(saver: SqliteSaver, path: string): number {
  saver.db.pragma('wal_checkpoint(TRUNCATE)');
  return apparentSize(path) + apparentSize(`${path}-wal`);
}

function turnOf(messages: readonly BaseMessage[]): number {
  return messages.filter((message) => AIMessage.isInstance(message)).length;
}

/** Run the workload through LangGraph with `saver` ('memory' or 'sqlite'). */
export async function langGraphTurns(saverKind: 'memory' | 'sqlite', turns: readonly number[]): Promise<TurnSeries> {
  const length = Math.max(...turns);
  const path = join(tempDir(`langgraph-${saverKind}`), 'checkpoints.db');
  const saver = saverKind === 'memory' ? new MemorySaver() : SqliteSaver.fromConnString(path);
  const logical = countSerializedBytes(saver);
  const probe = turnProbe(snapshotTurns(turns), {
    logical,
    disk: () => (saver instanceof SqliteSaver ? saverDiskBytes(saver, path) : memorySaverBytes(saver as MemorySaver)),
  });
  const graph = new StateGraph(MessagesAnnotation)
    .addNode('model', (state) => {
      const turn = turnOf(state.messages) + 1;
      if (turn > length) return { messages: [new AIMessage(FINAL_ANSWER)] };
      const call = { id: `call_${turn}`, name: 'lookup', args: { query: toolQuery(turn) }, type: 'tool_call' as const };
      return { messages: [new AIMessage({ content: assistantText(turn), tool_calls: [call] })] };
    })
    .addNode('tools', (state) => {
      const turn = turnOf(state.messages);
      probe.at(turn);
      return { messages: [new ToolMessage({ content: toolResult(turn), tool_call_id: `call_${turn}` })] };
    })
    .addEdge(START, 'model')
    .addConditionalEdges('model', (state) => (turnOf(state.messages) > length ? END : 'tools'), ['tools', END])
    .addEdge('tools', 'model')
    .compile({ checkpointer: saver });
  const config = { configurable: { thread_id: 'bench' }, recursionLimit: 2 * length + 10, durability: 'sync' as const };
  probe.start();
  const state = await graph.invoke({ messages: [{ role: 'user', content: 'Look up every record.' }] }, config);
  const totalMs = probe.stop();
  const last = state.messages[state.messages.length - 1];
  if (last?.content !== FINAL_ANSWER) throw new Error(`LangGraph ended with ${JSON.stringify(last?.content)}`);
  let note: string | undefined;
  if (saver instanceof SqliteSaver) {
    const synchronous = saver.db.pragma('synchronous', { simple: true }) as number;
    note = `better-sqlite3 connection: WAL, synchronous=${['OFF', 'NORMAL', 'FULL', 'EXTRA'][synchronous] ?? synchronous}`;
    saver.db.close();
  }
  return {
    framework: 'LangGraph.js',
    storage: saverKind === 'memory' ? 'MemorySaver' : 'SqliteSaver (file)',
    turns: length,
    stepsPerTurn: 2,
    totalMs,
    points: probe.points,
    ...(note ? { note } : {}),
  };
}
