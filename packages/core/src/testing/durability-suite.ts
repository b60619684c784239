/**
 * Conformance group `durability`: what was acknowledged survives closing the store and opening it
 * again (when the harness can `reopen`), and a closed handle refuses every call with
 * `storage-unavailable` instead of failing in some backend-specific way.
 */
import { expect } from 'vitest';
import type { DurableStore } from '../storage/types.ts';
import { expectRejection } from './assertions.ts';
import { entryFixture, FIXTURE_TIME, newRunFixture, richRunFixture } from './fixtures.ts';
import { conformanceGroup } from './group.ts';
import type { StoreHarness } from './harness.ts';
import { entryBatch, numbered } from './journal-suite.ts';

/** Every method of a closed store, each called with otherwise valid arguments. */
function callsOf(store: DurableStore): Record<string, () => Promise<unknown>> {
  return {
    createRun: () => store.createRun(newRunFixture('run-new')),
    getRun: () => store.getRun('run-1'),
    updateRun: () => store.updateRun('run-1', 0, { updatedAt: FIXTURE_TIME + 1 }),
    append: () => store.append('run-1', 0, [entryFixture('a#0')]),
    readEntries: () => store.readEntries('run-1'),
    listRuns: () => store.listRuns(),
    deleteRuns: () => store.deleteRuns({ runIds: ['run-1'] }),
    stats: () => store.stats(),
  };
}

/** Register the `durability` group for `harness`. */
export function durabilitySuite(harness: StoreHarness): void {
  conformanceGroup(harness, 'durability', ({ test, fresh, pair }) => {
    test('after close() every method rejects with StorageUnavailableError; close() again resolves', async () => {
      const store = await fresh();
      await store.createRun(newRunFixture('run-1'));
      await store.close();
      for (const [method, call] of Object.entries(callsOf(store))) {
        const error = await expectRejection(call, 'storage-unavailable').catch((failure: Error) => {
          throw new Error(`${method} after close: ${failure.message}`);
        });
        expect(error.message).toMatch(/^\[[^\]]+\] /);
      }
      await store.close();
    });

    if (harness.peer) {
      test('closing one handle leaves its peer working', async () => {
        const [first, second] = await pair();
        await first.createRun(newRunFixture('run-1'));
        await first.close();
        expect((await second.append('run-1', 0, entryBatch('a', 1))).lastSeq).toBe(1);
        expect(await second.readEntries('run-1')).toStrictEqual(numbered(entryBatch('a', 1), 1));
      });
    }

    const reopen = harness.reopen?.bind(harness);
    if (!reopen) return;

    test('runs, entries, patches and deletions survive close and reopen', async () => {
      const store = await fresh();
      const rich = richRunFixture('run-1');
      await store.createRun(rich);
      await store.createRun(newRunFixture('run-2'));
      await store.createRun(newRunFixture('run-3'));
      await store.append('run-1', 0, entryBatch('a', 3));
      await store.append('run-1', 3, entryBatch('b', 2, 3), {
        status: 'running',
        pauseReason: null,
        wakeAt: null,
        updatedAt: FIXTURE_TIME + 5,
      });
      await store.updateRun('run-1', 0, {
        lease: { owner: 'owner-1', expiresAt: FIXTURE_TIME + 60_000 },
        updatedAt: FIXTURE_TIME + 6,
      });
      await store.append('run-2', 0, entryBatch('c', 1));
      expect(await store.deleteRuns({ runIds: ['run-2'] })).toBe(1);
      const before = { run: await store.getRun('run-1'), third: await store.getRun('run-3'), stats: await store.stats() };

      const reopened = await reopen(store);
      expect(await reopened.getRun('run-1')).toStrictEqual(before.run);
      expect(before.run).toMatchObject({ version: 1, lastSeq: 5, status: 'running', lease: { owner: 'owner-1' } });
      expect(await reopened.getRun('run-3')).toStrictEqual(before.third);
      expect(await reopened.readEntries('run-1')).toStrictEqual(numbered([...entryBatch('a', 3), ...entryBatch('b', 2, 3)], 1));
      expect(await reopened.getRun('run-2')).toBeNull();
      expect(await reopened.readEntries('run-2')).toStrictEqual([]);
      expect(await reopened.stats()).toStrictEqual(before.stats);
      expect((await reopened.listRuns()).runs.map((run) => run.runId).sort()).toStrictEqual(['run-1', 'run-3']);
    });

    test('after reopen the journal continues densely and CAS tokens still hold', async () => {
      const store = await fresh();
      await store.createRun(newRunFixture('run-1'));
      await store.append('run-1', 0, entryBatch('a', 2));
      await store.updateRun('run-1', 0, { updatedAt: FIXTURE_TIME + 1 });
      const reopened = await reopen(store);
      await expectRejection(() => reopened.append('run-1', 0, entryBatch('stale', 1)), 'storage-conflict');
      await expectRejection(() => reopened.updateRun('run-1', 0, { updatedAt: FIXTURE_TIME + 2 }), 'storage-conflict');
      expect(await reopened.append('run-1', 2, entryBatch('a', 1, 2))).toMatchObject({ lastSeq: 3, version: 1 });
      const again = await reopen(reopened);
      expect(await again.readEntries('run-1')).toStrictEqual(numbered(entryBatch('a', 3), 1));
      expect(await again.getRun('run-1')).toMatchObject({ lastSeq: 3, version: 1 });
      await expectRejection(() => store.getRun('run-1'), 'storage-unavailable');
    });
  });
}
