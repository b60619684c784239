/**
 * Edge cases of exhaustive replay, `ctx.patched` and `checkReplay` (ADR 0100, 0102, 0103) on the
 * memory store: bad arguments, a workflow that awaits something outside ctx, a missing workflow, a
 * completed run whose code now returns something else, concurrent and repeated `patched` calls, a
 * workflow that throws with recorded calls left over, and entries that are not calls.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.ts';
import { checkReplay } from './check-replay.ts';
import { testBed } from './test-kit.ts';
import { defineWorkflow } from './workflow.ts';

describe('exhaustive replay', () => {
  it('a workflow that now throws early with recorded calls left is a non-determinism, not a failed run', async () => {
    const bed = testBed();
    const effects: string[] = [];
    const v1 = defineWorkflow('w', async (ctx) => {
      await ctx.step('a', () => effects.push('a'));
      await ctx.step('b', () => effects.push('b'));
      await ctx.waitForSignal('go');
      return 'v1';
    });
    const run = await bed.runtime({ workflows: [v1], owner: 'one' }).start(v1, undefined, { runId: 'throws' });
    expect((await run.settled()).status).toBe('paused');
    const v2 = defineWorkflow('w', async (ctx) => {
      await ctx.step('a', () => effects.push('a'));
      throw new Error('validation moved earlier');
    });
    const runtime = bed.runtime({ workflows: [v2], owner: 'two' });
    await runtime.resume('throws');
    const info = await runtime.handle('throws').settled();
    expect(info.error).toMatchObject({ code: 'non-determinism' });
    expect(info.error?.message).toContain('the workflow threw after 1 call, but the journal records 1 more');
    expect(info.error?.message).toContain('"b#0"');
    expect(effects).toEqual(['a', 'b']);
  });

  it('lease takes, signals and decisions are not calls: a run resumed after a takeover with a delivered signal completes', async () => {
    const bed = testBed();
    const wf = defineWorkflow('w', async (ctx) => {
      await ctx.step('a', () => 1);
      const got = await ctx.waitForSignal<string>('go');
      const decision = await ctx.waitForApproval('ok');
      return `${got} ${decision.approved}`;
    });
    const a = bed.runtime({ workflows: [wf], owner: 'a' });
    const run = await a.start(wf, undefined, { runId: 'extern' });
    await a.signal('extern', 'go', 'hi');
    for (let i = 0; i < 200 && !(await a.get('extern')).pendingApprovals?.length; i++) await new Promise((r) => setTimeout(r, 1));
    await a.approve('extern', 'ok#0', { approved: true, by: 'me' });
    expect(await run.result()).toBe('hi true');
    const report = await checkReplay({ workflows: [wf], store: bed.store, select: 'all', clock: bed.clock });
    expect(report.runs[0]).toMatchObject({ compatible: true, stoppedAt: 'returned' });
  });
});

describe('ctx.patched', () => {
  it('answers the same within a run, journals one mark for concurrent first asks, and refuses a bad id', async () => {
    const bed = testBed();
    const answers: boolean[] = [];
    const wf = defineWorkflow('w', async (ctx) => {
      const [x, y] = await Promise.all([ctx.patched('p1'), ctx.patched('p1')]);
      answers.push(x, y, await ctx.patched('p1'));
      await ctx.step('after', () => 1);
      return 'ok';
    });
    const runtime = bed.runtime({ workflows: [wf] });
    const run = await runtime.start(wf, undefined, { runId: 'twice' });
    expect(await run.result()).toBe('ok');
    expect(answers).toEqual([true, true, true]);
    const marks = (await bed.store.readEntries('twice')).filter((e) => e.kind === 'change-mark');
    expect(marks.map((e) => e.key)).toEqual(['patch:p1']);

    const bad = defineWorkflow('bad', async (ctx) => ctx.patched('has space'));
    const failing = bed.runtime({ workflows: [bad] });
    const handle = await failing.start(bad, undefined);
    await expect(handle.result()).rejects.toThrow(/invalid patch name "has space"/);
  });
});

describe('checkReplay', () => {
  it('refuses bad options with a clear error', async () => {
    const bed = testBed();
    const wf = defineWorkflow('w', async () => 1);
    await expect(checkReplay({ workflows: [{ name: 'x' } as never], store: bed.store })).rejects.toThrow(InvalidArgumentError);
    await expect(checkReplay({ workflows: [wf], store: bed.store, select: 'some' as never })).rejects.toThrow(
      /select must be 'active', 'all' or \{ runIds \}/,
    );
    await expect(checkReplay({ workflows: [wf], store: bed.store, timeoutMs: Number.NaN })).rejects.toThrow(/timeoutMs/);
    await expect(checkReplay({ workflows: [wf], store: bed.store, select: { runIds: ['nope'] } })).rejects.toMatchObject({
      code: 'run-not-found',
    });
  });

  it('reports a missing workflow, a changed output of a completed run and a replay that never settles', async () => {
    const bed = testBed();
    const v1 = defineWorkflow('w', async (ctx) => `total ${await ctx.step('sum', () => 3)}`);
    const other = defineWorkflow('other', async () => 'x');
    const runtime = bed.runtime({ workflows: [v1, other] });
    await (await runtime.start(v1, undefined, { runId: 'done' })).result();
    await (await runtime.start(other, undefined, { runId: 'orphan' })).result();
    const v2 = defineWorkflow('w', async (ctx) => `sum ${await ctx.step('sum', () => 3)}`);
    const report = await checkReplay({ workflows: [v2], store: bed.store, select: 'all', clock: bed.clock });
    const byId = new Map(report.runs.map((r) => [r.runId, r]));
    expect(byId.get('orphan')?.problem).toMatchObject({ kind: 'workflow-missing' });
    expect(byId.get('done')?.problem).toMatchObject({
      kind: 'outcome-changed',
      recorded: '{"v":"total 3"}',
      replayed: '{"v":"sum 3"}',
    });
    expect(byId.get('done')?.stoppedAt).toBe('returned');

    // A workflow awaiting a promise outside ctx never settles nor blocks: the check gives up.
    const stuck = defineWorkflow('w', async (ctx) => {
      await ctx.step('sum', () => 3);
      await new Promise(() => {});
      return 'never';
    });
    const pending = checkReplay({
      workflows: [stuck],
      store: bed.store,
      select: { runIds: ['done'] },
      clock: bed.clock,
      timeoutMs: 50,
    });
    let settled = false;
    void pending.then(() => {
      settled = true;
    });
    // The check reads the store before it arms its timer: move time on until it gives up.
    for (let i = 0; i < 100 && !settled; i++) {
      await bed.clock.advance(60);
      await new Promise((r) => setTimeout(r, 1));
    }
    const timedOut = await pending;
    expect(timedOut.runs[0]?.problem).toMatchObject({ kind: 'timeout' });
  });

  it('stops at an in-flight once step without running it or its reconcile', async () => {
    const bed = testBed();
    let calls = 0;
    let reconciles = 0;
    const wf = defineWorkflow('w', async (ctx) =>
      ctx.step(
        'pay',
        async () => {
          calls++;
          await new Promise(() => {});
        },
        {
          effect: 'once',
          onUnknown: async () => {
            reconciles++;
            return { completed: false };
          },
        },
      ),
    );
    const runtime = bed.runtime({ workflows: [wf], owner: 'crashing' });
    await runtime.start(wf, undefined, { runId: 'inflight' });
    for (let i = 0; i < 50 && calls === 0; i++) await new Promise((r) => setTimeout(r, 1));
    expect(calls).toBe(1);
    await runtime.close();
    const report = await checkReplay({ workflows: [wf], store: bed.store, clock: bed.clock });
    expect(report.runs[0]).toMatchObject({ runId: 'inflight', compatible: true, stoppedAt: 'live' });
    expect(calls).toBe(1);
    expect(reconciles).toBe(0);
  });
});
