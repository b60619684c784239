import { describe, expect, it } from 'vitest';
import type { DurableStore } from '../storage/types.ts';
import { readEntry, readOutcomeMarks, stepEndEntry, stepFailEntry } from './journal-format.ts';
import { testBed } from './test-kit.ts';
import { defineWorkflow } from './workflow.ts';

const context = { runId: 'run-1', what: 'result', maxBytes: 1_000_000 };

function fullMarks(payload: string, kind: 'step-end' | 'step-fail' = 'step-end') {
  const decoded = readEntry({ kind, key: 'x#0', payload });
  if (decoded.kind !== 'step-end' && decoded.kind !== 'step-fail') throw new Error('not an outcome');
  const signalSeq = decoded.kind === 'step-end' ? decoded.record.signalSeq : undefined;
  return signalSeq === undefined ? { index: decoded.record.index } : { index: decoded.record.index, signalSeq };
}

describe('readOutcomeMarks (loading without parsing)', () => {
  it('agrees with a full parse on every shape the engine writes, including hostile values', () => {
    const values: unknown[] = [
      null,
      0,
      'plain',
      { sg: 5 },
      '"sg":7',
      { text: '{"i":99,"sg":1}' },
      [1, 2, { i: 3 }],
      { v: '}' },
      'é\u0000\u001b[31m',
    ];
    const steps = [
      { index: 0, attempts: 1, startedAt: 1 },
      { index: 7, attempts: 2, startedAt: 5 },
      { index: 123_456_789, attempts: 1, startedAt: 0, signalSeq: 42 },
      { index: 10, attempts: 1, startedAt: 0, usage: { inputTokens: 1, outputTokens: 2 } },
    ];
    for (const value of values) {
      for (const step of steps) {
        const { payload } = stepEndEntry('s#0', step, value, context, 10);
        expect(readOutcomeMarks({ payload }), payload).toEqual(fullMarks(payload));
      }
    }
    const failed = stepFailEntry('s#1', { index: 3, attempts: 1, startedAt: 0 }, new Error('"sg":1 {"i":9}'), 10_000, 5);
    expect(readOutcomeMarks(failed.entry)).toEqual(fullMarks(failed.entry.payload, 'step-fail'));
  });

  it('falls back to a full parse for anything not in the canonical shape (and fails like it)', () => {
    expect(readOutcomeMarks({ payload: '{"a":1,"i":4}' })).toEqual({ index: 4 });
    expect(readOutcomeMarks({ payload: '{"i":4}' })).toEqual({ index: 4 });
    expect(readOutcomeMarks({ payload: '{"i":4,"sg":2,"v":1}' })).toEqual({ index: 4, signalSeq: 2 });
    expect(readOutcomeMarks({ payload: '{"i":1e2,"a":1}' })).toEqual({ index: 100 });
    // Invalid JSON is refused exactly as a full parse refuses it.
    for (const bad of ['{"i":007,"a":1}', '{"i":4,"a":1', '{"i":', '', '{"i":-1']) {
      expect(() => readOutcomeMarks({ payload: bad }), bad).toThrow(SyntaxError);
    }
  });
});

describe('lazy replay', () => {
  it('a recorded result that cannot be decoded stops the drive with CorruptJournalError; nothing runs again', async () => {
    const bed = testBed();
    const calls: string[] = [];
    const wf = defineWorkflow('lazy', async (ctx) => {
      const a = await ctx.step('a', () => {
        calls.push('a');
        return 'secret-value';
      });
      const b = await ctx.step('b', () => {
        calls.push('b');
        return 2;
      });
      await ctx.waitForSignal('go');
      return `${a}${b}`;
    });
    const first = bed.runtime({ workflows: [wf] });
    const run = await first.start(wf, null);
    await run.settled();
    await first.close();
    // A store whose read of step b's result is damaged after its call index (passes loading).
    const damaged: DurableStore = {
      ...bed.store,
      async readEntries(runId, options) {
        const entries = await bed.store.readEntries(runId, options);
        return entries.map((entry) =>
          entry.kind === 'step-end' && entry.key === 'b#0'
            ? { ...entry, payload: `${entry.payload.slice(0, -2)}"secret}` }
            : entry,
        );
      },
    };
    const second = bed.runtime({ workflows: [wf], store: damaged });
    await second.resume(run.runId);
    const info = await second.handle(run.runId).settled();
    expect(info.status).toBe('failed');
    expect(info.error?.code).toBe('corrupt-journal');
    expect(info.error?.message).toContain(run.runId);
    expect(info.error?.message).toContain('"b#0"');
    expect(info.error?.message).toMatch(/seq \d+/);
    expect(info.error?.message).not.toContain('secret');
    expect(calls).toEqual(['a', 'b']);
    // No run-end was journaled: with the journal readable again, the run resumes where it was.
    const entries = await bed.store.readEntries(run.runId);
    expect(entries.some((entry) => entry.kind === 'run-end')).toBe(false);
    const third = bed.runtime({ workflows: [wf], owner: 'third' });
    await third.resume(run.runId);
    await third.signal(run.runId, 'go');
    expect(await third.handle(run.runId).result()).toBe('secret-value2');
    expect(calls).toEqual(['a', 'b']);
  });
});
