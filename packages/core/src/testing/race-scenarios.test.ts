/**
 * The suite checks itself: the race scenarios must pass on the reference store and must report
 * problems on stores with the two classic bugs (an append without compare-and-set, and a
 * compare-and-set whose check and write are split by an await).
 */
import { describe, expect, it } from 'vitest';
import { createMemoryBacking, createMemoryStore, type MemoryBacking } from '../storage/memory-store.ts';
import type { DurableStore } from '../storage/types.ts';
import { contendAppends, interleaveDomains, raceAppend, raceUpdate } from './race-scenarios.ts';

/** A memory store whose `append` writes at the caller's seq without comparing it to the stored lastSeq. */
function appendWithoutCas(backing: MemoryBacking): DurableStore {
  const inner = createMemoryStore({ backing });
  return {
    ...inner,
    async append(runId, expectedLastSeq, entries, patch) {
      await Promise.resolve();
      const record = backing.runs.get(runId)!;
      const journal = backing.entries.get(runId)!;
      for (const [index, entry] of entries.entries()) journal.push({ ...entry, seq: expectedLastSeq + index + 1 });
      const next = { ...record, ...patch, lastSeq: expectedLastSeq + entries.length };
      backing.runs.set(runId, next);
      return structuredClone(next);
    },
  };
}

/** A memory store whose `updateRun` checks the version, awaits, then writes a copy of what it read. */
function updateWithSplitCas(backing: MemoryBacking): DurableStore {
  const inner = createMemoryStore({ backing });
  return {
    ...inner,
    async updateRun(runId, expectedVersion, patch) {
      const record = await inner.getRun(runId);
      if (!record || record.version !== expectedVersion) return inner.updateRun(runId, expectedVersion, patch);
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      const next = { ...record, ...patch, version: record.version + 1 };
      backing.runs.set(runId, next);
      return structuredClone(next);
    },
  };
}

function pairOf(make: (backing: MemoryBacking) => DurableStore): [DurableStore, DurableStore] {
  const backing = createMemoryBacking();
  return [make(backing), make(backing)];
}

const healthy = (backing: MemoryBacking) => createMemoryStore({ backing });

describe('race scenarios detect broken stores', () => {
  it('find nothing wrong with the memory store', async () => {
    for (const scenario of [raceAppend, raceUpdate, contendAppends, interleaveDomains]) {
      const [first, second] = pairOf(healthy);
      expect((await scenario(first, second, 'run-1')).problems).toStrictEqual([]);
    }
  });

  it('catch an append without compare-and-set: two winners and duplicate seqs', async () => {
    const [first, second] = pairOf(appendWithoutCas);
    const race = await raceAppend(first, second, 'run-1');
    expect(race.problems).toContain('2 of 2 racing calls fulfilled, expected exactly 1');
    expect(race.problems.some((problem) => problem.startsWith('journal seqs are [1,2,3,1]'))).toBe(true);
    const [third, fourth] = pairOf(appendWithoutCas);
    expect((await contendAppends(third, fourth, 'run-1', 10)).problems).not.toStrictEqual([]);
  });

  it('catch an updateRun whose check and write are split: two winners, then lost updates', async () => {
    const [first, second] = pairOf(updateWithSplitCas);
    expect((await raceUpdate(first, second, 'run-1')).problems).toContain('2 of 2 racing calls fulfilled, expected exactly 1');
    // A mixed pair: a correct appender and a racy updater that writes back a stale header.
    const backing = createMemoryBacking();
    const race = await interleaveDomains(healthy(backing), updateWithSplitCas(backing), 'run-1', 10);
    expect(
      race.problems.some((problem) => problem.includes('an append patch was lost') || problem.startsWith('lastSeq is')),
    ).toBe(true);
  });
});
