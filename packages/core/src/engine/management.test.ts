import { describe, expect, it } from 'vitest';
import { testBed } from './test-kit.ts';
import { defineWorkflow } from './workflow.ts';

const counting = (calls: string[]) =>
  defineWorkflow('counting', async (ctx, input: { n: number }) => {
    let total = input.n;
    for (const name of ['a', 'b', 'c'])
      total = await ctx.step(name, () => {
        calls.push(name);
        return total + 1;
      });
    return total;
  });

describe('management API', () => {
  it('forks a run at a seq: the copy keeps the first entries, links the source and runs the rest', async () => {
    const bed = testBed();
    const calls: string[] = [];
    const wf = counting(calls);
    const runtime = bed.runtime({ workflows: [wf] });
    const source = await runtime.start(wf, { n: 10 });
    expect(await source.result()).toBe(13);
    const history = await runtime.history(source.runId);
    const afterA = history.find((h) => h.key === 'a#0')!.seq;
    calls.length = 0;
    const fork = await runtime.fork(source.runId, { atSeq: afterA, input: { n: 100 } });
    // Step a is replayed from the copy (11), b and c run again on it.
    expect(await fork.result()).toBe(13);
    expect(calls).toEqual(['b', 'c']);
    expect((await runtime.get(fork.runId)).forkedFrom).toEqual({ runId: source.runId, atSeq: afterA });
    await expect(runtime.fork(source.runId, { atSeq: 999 })).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('reads history in pages (afterSeq, limit) and refuses bad bounds naming the run', async () => {
    const bed = testBed();
    const wf = counting([]);
    const runtime = bed.runtime({ workflows: [wf] });
    const run = await runtime.start(wf, { n: 1 });
    await run.result();
    const all = await runtime.history(run.runId);
    expect(all.length).toBeGreaterThan(3);
    const page = await runtime.history(run.runId, { afterSeq: 1, limit: 2 });
    expect(page.map((item) => item.seq)).toEqual([2, 3]);
    expect(page).toEqual(all.slice(1, 3));
    expect(await runtime.history(run.runId, { afterSeq: all.length })).toEqual([]);
    for (const bad of [{ afterSeq: -1 }, { afterSeq: 1.5 }, { limit: 0 }, { limit: 10_001 }])
      await expect(runtime.history(run.runId, bad)).rejects.toMatchObject({
        code: 'invalid-argument',
        message: expect.stringContaining(run.runId),
      });
    await expect(runtime.history('missing_run', { afterSeq: 0 })).rejects.toMatchObject({ code: 'run-not-found' });
  });

  it('gets, lists with status filter, limit and cursor, and counts', async () => {
    const bed = testBed();
    const wf = counting([]);
    const waiting = defineWorkflow('waiting', async (ctx) => ctx.waitForSignal('x'));
    const runtime = bed.runtime({ workflows: [wf, waiting] });
    for (let i = 0; i < 5; i++) {
      await (await runtime.start(wf, { n: i })).result();
      await bed.clock.advance(10);
    }
    await (await runtime.start(waiting, null)).settled();
    const info = (await runtime.list({ status: ['completed'], limit: 2 })).runs[0]!;
    expect(info).toMatchObject({ workflow: 'counting', status: 'completed', output: 7, step: { name: 'c' } });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await runtime.list({ status: ['completed'], limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.runs.map((r) => r.runId));
      cursor = page.cursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(5);
    expect(await runtime.stats()).toMatchObject({ total: 6, byStatus: { completed: 5, paused: 1 } });
    const history = await runtime.history(info.runId);
    expect(history.filter((h) => h.kind === 'step-end').every((h) => typeof h.durationMs === 'number' && h.attempts === 1)).toBe(
      true,
    );
  });

  it('cleans up by age and status, deletes one run, and refuses a live one without force', async () => {
    const bed = testBed();
    const wf = counting([]);
    const slow = defineWorkflow('slow', async (ctx) => ctx.step('wait', () => new Promise((r) => setTimeout(r, 50))));
    const runtime = bed.runtime({ workflows: [wf, slow] });
    const old = await runtime.start(wf, { n: 1 });
    await old.result();
    await bed.clock.advance(8 * 24 * 3600_000);
    const recent = await runtime.start(wf, { n: 2 });
    await recent.result();
    expect(await runtime.cleanup({ olderThanMs: 7 * 24 * 3600_000 })).toBe(1);
    await expect(runtime.get(old.runId)).rejects.toMatchObject({ code: 'run-not-found' });
    expect(await runtime.cleanup({ olderThanMs: 0, status: ['failed'] })).toBe(0);
    const live = await runtime.start(slow, null);
    await expect(runtime.delete(live.runId)).rejects.toMatchObject({ code: 'lease-held' });
    await live.result();
    expect(await runtime.delete(live.runId)).toBe(true);
    expect(await runtime.delete(recent.runId)).toBe(true);
    expect((await runtime.stats()).total).toBe(0);
  });

  it('autoCleanup deletes completed runs', async () => {
    const bed = testBed();
    const wf = counting([]);
    const runtime = bed.runtime({ workflows: [wf], autoCleanup: true });
    const run = await runtime.start(wf, { n: 1 });
    expect(await run.result()).toBe(4);
    await run.settled().catch(() => undefined);
    expect((await runtime.stats()).total).toBe(0);
  });

  it('emits typed events and a readable debug trace', async () => {
    const bed = testBed();
    const lines: string[] = [];
    const wf = counting([]);
    const runtime = bed.runtime({ workflows: [wf], debug: (line) => lines.push(line) });
    const run = await runtime.start(wf, { n: 1 });
    const types: string[] = [];
    for await (const event of run.events()) types.push(event.type);
    expect(types.filter((t) => t === 'step-end')).toHaveLength(3);
    expect(types.at(-1)).toBe('run-end');
    expect(lines.some((l) => l.includes('✓ a#0'))).toBe(true);
    expect(lines.at(-1)).toContain('completed');
  });
});
