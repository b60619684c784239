/**
 * Conformance group `errors`: run ids are validated wherever they enter a store, arguments out of
 * their domain are refused, and a refused call writes nothing. Every failure is a rejected Promise
 * carrying a Cairn error code, never a synchronous throw (ADR 0023).
 */
import { expect } from 'vitest';
import type { DurableStore } from '../storage/types.ts';
import { expectRejection } from './assertions.ts';
import { entryFixture, FIXTURE_TIME, newRunFixture } from './fixtures.ts';
import { conformanceGroup } from './group.ts';
import type { StoreHarness } from './harness.ts';
import { entryBatch } from './journal-suite.ts';

/** Ids every store must refuse: empty, path tricks, too long (129), whitespace, non-ASCII, NUL. */
export const INVALID_RUN_IDS: readonly string[] = [
  '',
  '../etc',
  'a/b',
  'x'.repeat(129),
  'run id',
  'a\\b',
  'caf\u00e9',
  'run\u0000',
  '.',
];

/** Every method that takes a run id, called with `runId`. */
function callsWithRunId(store: DurableStore, runId: string): Record<string, () => Promise<unknown>> {
  return {
    createRun: () => store.createRun(newRunFixture(runId)),
    getRun: () => store.getRun(runId),
    updateRun: () => store.updateRun(runId, 0, { updatedAt: FIXTURE_TIME + 1 }),
    append: () => store.append(runId, 0, [entryFixture('a#0')]),
    readEntries: () => store.readEntries(runId),
    deleteRuns: () => store.deleteRuns({ runIds: ['run-1', runId] }),
  };
}

/** Register the `errors` group for `harness`. */
export function errorsSuite(harness: StoreHarness): void {
  conformanceGroup(harness, 'errors', ({ test, fresh }) => {
    test('every method taking a run id rejects an invalid id with invalid-run-id and writes nothing', async () => {
      const store = await fresh();
      const run = await store.createRun(newRunFixture('run-1'));
      for (const runId of INVALID_RUN_IDS) {
        for (const [method, call] of Object.entries(callsWithRunId(store, runId))) {
          await expectRejection(call, 'invalid-run-id').catch((failure: Error) => {
            throw new Error(`${method}(${JSON.stringify(runId.slice(0, 20))}): ${failure.message}`);
          });
        }
      }
      // deleteRuns validated every id before deleting anything, so run-1 is still here.
      expect(await store.getRun('run-1')).toStrictEqual(run);
      expect(await store.readEntries('run-1')).toStrictEqual([]);
      expect((await store.stats()).total).toBe(1);
    });

    test('createRun rejects a run without a workflow name with InvalidArgumentError', async () => {
      const store = await fresh();
      await expectRejection(() => store.createRun(newRunFixture('run-1', { workflow: '' })), 'invalid-argument');
      expect(await store.getRun('run-1')).toBeNull();
    });

    test('append rejects an empty batch or an expectedLastSeq that is not a non-negative integer', async () => {
      const store = await fresh();
      const run = await store.createRun(newRunFixture('run-1'));
      await expectRejection(() => store.append('run-1', 0, []), 'invalid-argument');
      for (const expectedLastSeq of [-1, 0.5, Number.NaN]) {
        await expectRejection(() => store.append('run-1', expectedLastSeq, entryBatch('a', 1)), 'invalid-argument');
      }
      expect(await store.getRun('run-1')).toStrictEqual(run);
      expect(await store.readEntries('run-1')).toStrictEqual([]);
    });

    test('updateRun rejects an expectedVersion that is not a non-negative integer', async () => {
      const store = await fresh();
      const run = await store.createRun(newRunFixture('run-1'));
      for (const expectedVersion of [-1, 0.5, Number.NaN]) {
        await expectRejection(
          () => store.updateRun('run-1', expectedVersion, { updatedAt: FIXTURE_TIME + 1 }),
          'invalid-argument',
        );
      }
      expect(await store.getRun('run-1')).toStrictEqual(run);
    });

    test('readEntries rejects afterSeq below 0 or fractional, and limit below 1 or fractional', async () => {
      const store = await fresh();
      await store.createRun(newRunFixture('run-1'));
      await store.append('run-1', 0, entryBatch('a', 3));
      for (const options of [
        { afterSeq: -1 },
        { afterSeq: 1.5 },
        { limit: 0 },
        { limit: -2 },
        { limit: 2.5 },
        { afterSeq: Number.NaN },
      ]) {
        await expectRejection(() => store.readEntries('run-1', options), 'invalid-argument').catch((failure: Error) => {
          throw new Error(`readEntries(${JSON.stringify(options)}): ${failure.message}`);
        });
      }
    });
  });
}
