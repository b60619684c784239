import { describe, expect, it } from 'vitest';
import { CairnError } from '../errors.ts';
import { initialRun } from './initial-run.ts';
import { createMemoryBacking, createMemoryStore } from './memory-store.ts';
import type { NewRun } from './types.ts';

function newRun(runId: string, createdAt = 1): NewRun {
  return initialRun({ runId, workflow: 'wf', input: '{}', createdAt });
}

describe('memory store', () => {
  it('appends densely and fences a stale writer', async () => {
    const backing = createMemoryBacking();
    const a = createMemoryStore({ backing });
    const b = createMemoryStore({ backing });
    await a.createRun(newRun('r1'));
    const results = await Promise.allSettled(
      [a, b].map((s) => s.append('r1', 0, [{ kind: 'step-end', key: 'x#0', payload: '{}', createdAt: 2 }])),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(CairnError.is(rejected.reason, 'storage-conflict')).toBe(true);
    expect((await b.readEntries('r1')).map((e) => e.seq)).toEqual([1]);
  });
});
