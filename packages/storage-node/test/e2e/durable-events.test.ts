// Durable event streams on SQLite with the real `openai` client and a counting model server: a
// consumer that drops the stream mid-run and reconnects with `fromSeq: last + 1` gets every journal
// event exactly once, in order, with the live text deltas of this process in between (never after
// their step's end); a second process following the same file sees the same journal events; the
// model server counts one request per model call: nothing is re-spent by replaying events.
import { join } from 'node:path';
import { Agent, createRuntime, type DurableRunEvent, tool } from '@cairn/core';
import { createOpenAIModel } from '@cairn/core/openai';
import { createOpenAITestServer } from '@cairn/test-rigs/openai-test-server';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createSqliteStore } from '../../src/index.ts';

const temp = makeTempDir('durable-events');
const NOTES = 4;
const ANSWER = 'All four notes are taken and the ledger is closed.';

afterAll(() => temp.remove());

async function collect(
  stream: AsyncIterable<DurableRunEvent>,
  stopAfter?: (event: DurableRunEvent, seen: DurableRunEvent[]) => boolean,
): Promise<DurableRunEvent[]> {
  const seen: DurableRunEvent[] = [];
  for await (const event of stream) {
    seen.push(event);
    if (stopAfter?.(event, seen)) break;
  }
  return seen;
}

const seqs = (events: DurableRunEvent[]) => events.flatMap((e) => (e.seq === undefined ? [] : [e.seq]));

describe('handle.events({ fromSeq }) on SQLite', () => {
  it('a stream reconnected mid-run yields every event once, in order; no model call is repeated', {
    timeout: 30_000,
  }, async () => {
    const server = await createOpenAITestServer({
      respond: (body) => {
        const done = body.messages.filter((m: { role: string }) => m.role === 'tool').length;
        if (done < NOTES)
          return {
            toolCalls: [{ id: `call_${done}`, name: 'note', arguments: JSON.stringify({ n: done }) }],
            usage: { prompt: 20, completion: 5 },
          };
        return { text: ANSWER, usage: { prompt: 40, completion: 12 } };
      },
      delayMs: 40,
      chunkSize: 4,
      chunkDelayMs: 3,
    });
    const path = join(temp.path, 'events.db');
    const store = createSqliteStore({ path });
    const peerStore = createSqliteStore({ path });
    const note = tool({
      name: 'note',
      description: 'Take a note',
      input: z.object({ n: z.number().int() }),
      execute: async ({ n }) => ({ noted: n }),
    });
    const agent = new Agent({
      model: createOpenAIModel({ model: 'notes-model', apiKey: 'sk-test-events', baseURL: server.baseURL }),
      tools: [note],
      stream: true,
      store,
      runtime: { owner: 'driver', pollMs: 50 },
    });
    const peer = createRuntime({ store: peerStore, workflows: [], owner: 'follower', pollMs: 25 });
    try {
      const runId = 'events-run-1';
      const finished = agent.run('Take four notes, then close the ledger.', { runId });
      // A stream of a run that does not exist yet is refused: wait for the start (bounded).
      for (let i = 0; i < 200 && !(await store.getRun(runId)); i++) await new Promise((resolve) => setTimeout(resolve, 5));
      // The follower in "another process" starts at once: it polls the same file.
      const followed = collect(peer.handle(runId).events({ fromSeq: 1 }));
      // First connection: drops after the second model call has ended.
      let modelEnds = 0;
      const first = await collect(agent.runtime.handle(runId).events({ fromSeq: 1 }), (event) => {
        if (event.type === 'step-end' && event.stepId.startsWith('model#')) modelEnds++;
        return modelEnds === 2;
      });
      const lastSeen = Math.max(...seqs(first));
      // Reconnect: from the seq after the last one seen.
      const second = await collect(agent.runtime.handle(runId).events({ fromSeq: lastSeen + 1 }));
      const result = await finished;
      expect(result).toMatchObject({ status: 'completed', output: ANSWER });

      const journal = await store.readEntries(runId);
      const withEvents = journal.filter((e) => e.kind !== 'lease-take' && e.kind !== 'sleep-start').map((e) => e.seq);
      // Every journal event exactly once, in order, across the two connections.
      expect([...seqs(first), ...seqs(second)]).toEqual(withEvents);
      // The reconnect happened mid-run: model calls were still to come.
      expect(second.filter((e) => e.type === 'step-end' && e.stepId.startsWith('model#')).length).toBeGreaterThan(0);
      expect(second.at(-1)).toMatchObject({ type: 'run-end', status: 'completed', seq: journal.at(-1)?.seq });
      expect(second.at(-1)).toMatchObject({ usage: { modelCalls: NOTES + 1 } });
      expect(seqs(await followed)).toEqual(withEvents);
      // Text deltas were live in this process; each comes before its step's end, never after.
      const all = [...first, ...second];
      const deltas = all.filter((e) => e.type === 'text-delta');
      expect(deltas.length).toBeGreaterThan(0);
      for (const [i, event] of all.entries()) {
        if (event.type !== 'text-delta') continue;
        expect(all.slice(0, i).some((e) => e.type === 'step-end' && e.stepId === event.stepId)).toBe(false);
      }
      // One request per model call: neither reconnecting nor following re-spent a token.
      expect(server.requests).toHaveLength(NOTES + 1);
      // A late reader replays the same journal events from the store, and stops at run-end.
      const late = await collect(agent.runtime.handle(runId).events({ fromSeq: 0 }));
      expect(seqs(late)).toEqual(withEvents);
      expect(late.filter((e) => e.type === 'text-delta')).toEqual([]);
      expect(server.requests).toHaveLength(NOTES + 1);
      await expect(collect(agent.runtime.handle('no-such-run').events({ fromSeq: 1 }))).rejects.toMatchObject({
        code: 'run-not-found',
      });
      expect(() => agent.runtime.handle(runId).events({ fromSeq: -1 })).toThrow(/fromSeq must be a non-negative integer/);
    } finally {
      await peer.close();
      await agent.close();
      await peerStore.close();
      await store.close();
      await server.close();
    }
  });
});
