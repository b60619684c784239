// Durable event streams in the engine (portable: runs in Node and workerd): journal events with
// their seq, exactly once across a reconnect; live text deltas before their step's end, never after
// (late ones dropped); the end of an ended run; a deleted run; a closed runtime; readRunEvents pages.
import { describe, expect, it } from 'vitest';
import { createDurableEventStream, type DurableRunEvent, readRunEvents } from './durable-events.ts';
import { flush, testBed } from './test-kit.ts';
import { defineWorkflow } from './workflow.ts';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

async function take(iterator: AsyncIterator<DurableRunEvent>, n: number): Promise<DurableRunEvent[]> {
  const out: DurableRunEvent[] = [];
  for (let i = 0; i < n; i++) {
    const step = await iterator.next();
    if (step.done) break;
    out.push(step.value);
  }
  return out;
}

async function all(stream: AsyncIterable<DurableRunEvent>): Promise<DurableRunEvent[]> {
  const out: DurableRunEvent[] = [];
  for await (const event of stream) out.push(event);
  return out;
}

describe('handle.events({ fromSeq })', () => {
  it('gives every journal event once across a reconnect, with text deltas before their step ends', async () => {
    const bed = testBed();
    const gates = [gate(), gate()];
    const wf = defineWorkflow('writer', async (ctx) => {
      const parts: string[] = [];
      for (const [i, g] of gates.entries()) {
        parts.push(
          await ctx.step('write', async (step) => {
            step.emit({ type: 'text-delta', delta: `part ${i} ` });
            await g.opened;
            step.emit({ type: 'text-delta', delta: 'done' });
            return `part ${i} done`;
          }),
        );
      }
      return parts.join(', ');
    });
    const runtime = bed.runtime({ workflows: [wf] });
    const run = await runtime.start(wf, null);
    const first = runtime.handle(run.runId).events({ fromSeq: 1 })[Symbol.asyncIterator]();
    const head = await take(first, 2);
    expect(head.map((e) => e.type)).toEqual(['run-start', 'text-delta']);
    gates[0]?.open();
    const more = await take(first, 2);
    expect(more.map((e) => e.type)).toEqual(['text-delta', 'step-end']);
    await first.return?.();
    const lastSeq = Math.max(...[...head, ...more].flatMap((e) => (e.seq ? [e.seq] : [])));
    const second = all(runtime.handle(run.runId).events({ fromSeq: lastSeq + 1 }));
    await flush();
    gates[1]?.open();
    const rest = await second;
    expect(await run.result()).toBe('part 0 done, part 1 done');
    const seqs = [...head, ...more, ...rest].flatMap((e) => (e.seq ? [e.seq] : []));
    const journal = (await bed.store.readEntries(run.runId)).filter((e) => e.kind !== 'lease-take').map((e) => e.seq);
    expect(seqs).toEqual(journal);
    // The second step's first delta was emitted while nobody was connected: live-only, not replayed.
    const texts = rest.filter((e) => e.type === 'text-delta').map((e) => (e as { delta: string }).delta);
    expect(texts).toEqual(['done']);
    expect(rest.at(-1)).toMatchObject({ type: 'run-end', status: 'completed', seq: journal.at(-1) });
    const endIndex = rest.findIndex((e) => e.type === 'step-end');
    expect(rest.slice(endIndex).some((e) => e.type === 'text-delta')).toBe(false);
  });

  it('drops live events of a step that already ended in the stream (a slow consumer loses no journal event)', async () => {
    const bed = testBed();
    const wf = defineWorkflow('chatty', async (ctx) =>
      ctx.step('say', (step) => {
        step.emit({ type: 'text-delta', delta: 'hello' });
        return 'hello';
      }),
    );
    const runtime = bed.runtime({ workflows: [wf] });
    const run = await runtime.start(wf, null);
    // Subscribed, but not pulled until the run has ended: the journal comes first, the delta is late.
    const iterator = runtime.handle(run.runId).events({ fromSeq: 1 })[Symbol.asyncIterator]();
    expect(await run.result()).toBe('hello');
    const events = await take(iterator, 10);
    expect(events.map((e) => e.type)).toEqual(['run-start', 'step-end', 'run-end']);
  });

  it('ends at once past the end of an ended run; errors for a deleted run, a closed runtime and a bad fromSeq', async () => {
    const bed = testBed();
    const wf = defineWorkflow('waits', async (ctx) => ctx.waitForSignal<string>('go'));
    const runtime = bed.runtime({ workflows: [wf], pollMs: 10 });
    const run = await runtime.start(wf, null);
    await run.settled();
    const source = {
      store: bed.store,
      clock: bed.clock,
      pollMs: 10,
      listeners: new Map(),
      isClosed: () => false,
    };
    // A follower that polls (nothing drives the run here): deletion ends it with RunNotFoundError.
    const following = all(createDurableEventStream(source, run.runId, { fromSeq: 1 }));
    await flush();
    await runtime.delete(run.runId, { force: true });
    await bed.clock.advance(10);
    await expect(following).rejects.toMatchObject({ code: 'run-not-found', message: expect.stringContaining('was deleted') });

    const second = await runtime.start(wf, null);
    await second.settled();
    await runtime.signal(second.runId, 'go', 'now');
    expect(await second.result()).toBe('now');
    const { lastSeq } = (await bed.store.getRun(second.runId))!;
    expect(await all(runtime.handle(second.runId).events({ fromSeq: lastSeq + 1 }))).toEqual([]);
    expect(() => runtime.handle(second.runId).events({ fromSeq: 1.5 })).toThrow(/fromSeq must be a non-negative integer/);

    let closed = false;
    const third = await runtime.start(wf, null);
    await third.settled();
    const stalled = all(createDurableEventStream({ ...source, isClosed: () => closed }, third.runId, { fromSeq: 1 }));
    await flush();
    closed = true;
    await bed.clock.advance(10);
    await expect(stalled).rejects.toThrow(/runtime closed while following the events of run/);
  });

  it('goes on past a run-end that entries follow (a failed run continued in place), and ends at the last one', async () => {
    const bed = testBed();
    const wf = defineWorkflow('fails-once', async (ctx) => {
      await ctx.step('a', () => 1);
      throw new Error('not yet');
    });
    const runtime = bed.runtime({ workflows: [wf] });
    const run = await runtime.start(wf, null);
    await run.settled();
    // A stream of the failed run ends at its run-end.
    const failed = await all(runtime.handle(run.runId).events({ fromSeq: 1 }));
    expect(failed.map((e) => e.type)).toEqual(['run-start', 'step-end', 'run-end']);
    // The run goes on in the same journal (as a retry in place does): a step, then a second run-end.
    const entries = await bed.store.readEntries(run.runId);
    const stepEnd = entries.find((e) => e.kind === 'step-end')!;
    const record = (await bed.store.getRun(run.runId))!;
    await bed.store.append(
      run.runId,
      record.lastSeq,
      [
        { kind: 'step-end', key: 'b#0', payload: stepEnd.payload.replace('"i":0', '"i":1'), createdAt: 5 },
        { kind: 'run-end', key: 'run', payload: '{"status":"completed","v":2}', createdAt: 6 },
      ],
      { status: 'completed', error: null, updatedAt: 6 },
    );
    const whole = await all(runtime.handle(run.runId).events({ fromSeq: 1 }));
    expect(whole.map((e) => `${e.seq}:${e.type}`)).toEqual(['1:run-start', '2:step-end', '3:run-end', '4:step-end', '5:run-end']);
    const page = await readRunEvents(bed.store, run.runId, { fromSeq: 1, limit: 3 });
    expect(page).toMatchObject({ nextSeq: 4, ended: true });
    expect(await readRunEvents(bed.store, run.runId, { fromSeq: 4 })).toMatchObject({ nextSeq: 6, ended: true });
  });

  it('readRunEvents pages the journal as events and says when the run has ended', async () => {
    const bed = testBed();
    const wf = defineWorkflow('three', async (ctx) => {
      for (let i = 0; i < 3; i++) await ctx.step('n', () => i);
      return 'done';
    });
    const runtime = bed.runtime({ workflows: [wf] });
    const run = await runtime.start(wf, null);
    await run.result();
    const page1 = await readRunEvents(bed.store, run.runId, { fromSeq: 1, limit: 2 });
    expect(page1.events.map((e) => e.type)).toEqual(['run-start', 'step-end']);
    expect(page1.ended).toBe(false);
    const page2 = await readRunEvents(bed.store, run.runId, { fromSeq: page1.nextSeq });
    expect(page2.events.map((e) => e.type)).toEqual(['step-end', 'step-end', 'run-end']);
    expect(page2.ended).toBe(true);
    expect(page2.events.at(-1)).toMatchObject({ usage: { totalTokens: 0 } });
    const after = await readRunEvents(bed.store, run.runId, { fromSeq: page2.nextSeq });
    expect(after).toEqual({ events: [], nextSeq: page2.nextSeq, ended: true });
    await expect(readRunEvents(bed.store, 'missing', {})).rejects.toMatchObject({ code: 'run-not-found' });
    await expect(readRunEvents(bed.store, run.runId, { limit: 0 })).rejects.toMatchObject({ code: 'invalid-argument' });
  });
});
