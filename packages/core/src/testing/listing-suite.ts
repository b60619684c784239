/**
 * Conformance group `listing`: `listRuns` (order, filters, limits, cursors), `deleteRuns` and
 * `stats`. Listing order is `createdAt` descending then `runId` descending: both are immutable, so
 * paging stays exact while runs are being updated (ADR 0020).
 */
import { expect } from 'vitest';
import {
  type DeleteRunsQuery,
  type DurableStore,
  type ListRunsQuery,
  RUN_STATUSES,
  type RunRecord,
  type RunStatus,
} from '../storage/types.ts';
import { expectRejection } from './assertions.ts';
import { FIXTURE_TIME, newRunFixture } from './fixtures.ts';
import { conformanceGroup } from './group.ts';
import type { StoreHarness } from './harness.ts';
import { entryBatch } from './journal-suite.ts';

/** Every run matching `query`, following cursors with pages of `query.limit`; also returns page sizes. */
export async function listAll(store: DurableStore, query: ListRunsQuery): Promise<{ runIds: string[]; pageSizes: number[] }> {
  const runIds: string[] = [];
  const pageSizes: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listRuns(cursor === undefined ? query : { ...query, cursor });
    runIds.push(...page.runs.map((run) => run.runId));
    pageSizes.push(page.runs.length);
    cursor = page.cursor;
    // A store that never stops handing out cursors would loop forever: bound the walk.
    if (pageSizes.length > 1000) throw new Error('listRuns kept returning cursors past 1000 pages');
  } while (cursor !== undefined);
  return { runIds, pageSizes };
}

function ids(runs: readonly RunRecord[]): string[] {
  return runs.map((run) => run.runId);
}

/** Run ids in listing order, computed from the fixtures (not from any store). */
function expectedOrder(runs: readonly { runId: string; createdAt: number }[]): string[] {
  return [...runs]
    .sort((a, b) => b.createdAt - a.createdAt || (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0))
    .map((run) => run.runId);
}

async function seedStatuses(store: DurableStore): Promise<void> {
  // Two runs per status, workflows alternating, updatedAt 10, 20, 30, … in creation order.
  let index = 0;
  for (const status of RUN_STATUSES) {
    for (const workflow of ['alpha', 'beta']) {
      index++;
      const time = FIXTURE_TIME + index * 10;
      await store.createRun(newRunFixture(`${status}-${workflow}`, { status, workflow, createdAt: time, updatedAt: time }));
    }
  }
}

/** Register the `listing` group for `harness`. */
export function listingSuite(harness: StoreHarness): void {
  conformanceGroup(harness, 'listing', ({ test, fresh }) => {
    test('listRuns orders by createdAt descending, then runId descending', async () => {
      const store = await fresh();
      const runs = [
        { runId: 'b', createdAt: FIXTURE_TIME + 5 },
        { runId: 'a', createdAt: FIXTURE_TIME + 5 },
        { runId: 'z', createdAt: FIXTURE_TIME },
        { runId: 'c', createdAt: FIXTURE_TIME + 9 },
        { runId: 'a-2', createdAt: FIXTURE_TIME + 5 },
        { runId: 'A', createdAt: FIXTURE_TIME + 5 },
      ];
      for (const run of runs)
        await store.createRun(newRunFixture(run.runId, { createdAt: run.createdAt, updatedAt: run.createdAt }));
      // Updating a run must not move it: order is by creation, not by last update.
      await store.updateRun('z', 0, { updatedAt: FIXTURE_TIME + 100 });
      const page = await store.listRuns();
      expect(ids(page.runs)).toStrictEqual(expectedOrder(runs));
      expect(ids(page.runs)).toStrictEqual(['c', 'b', 'a-2', 'a', 'A', 'z']);
      expect(page.cursor).toBeUndefined();
      expect(page.runs.find((run) => run.runId === 'z')).toStrictEqual(await store.getRun('z'));
    });

    test('listRuns filters by several statuses, by workflow, by updatedBefore (strict), all combined with AND', async () => {
      const store = await fresh();
      await seedStatuses(store);
      const list = async (query: ListRunsQuery) => ids((await store.listRuns(query)).runs).sort();
      expect(await list({ status: ['paused', 'failed'] })).toStrictEqual([
        'failed-alpha',
        'failed-beta',
        'paused-alpha',
        'paused-beta',
      ]);
      expect(await list({ status: ['completed'] })).toStrictEqual(['completed-alpha', 'completed-beta']);
      expect(await list({ status: [] })).toStrictEqual([]);
      expect(await list({ workflow: 'beta' })).toStrictEqual(RUN_STATUSES.map((status) => `${status}-beta`).sort());
      expect(await list({ workflow: 'gamma' })).toStrictEqual([]);
      expect(await list({ updatedBefore: FIXTURE_TIME + 30 })).toStrictEqual(['running-alpha', 'running-beta']);
      expect(await list({ status: ['running', 'paused'], workflow: 'alpha', updatedBefore: FIXTURE_TIME + 30 })).toStrictEqual([
        'running-alpha',
      ]);
      expect(await list({ status: ['running', 'paused'], workflow: 'alpha', updatedBefore: FIXTURE_TIME + 31 })).toStrictEqual([
        'paused-alpha',
        'running-alpha',
      ]);
      expect(
        (await store.listRuns({ status: ['paused', 'failed'] })).runs.every((run) => ['paused', 'failed'].includes(run.status)),
      ).toBe(true);
    });

    test('listRuns returns 100 runs by default and accepts limits from 1 to 1000', async () => {
      const store = await fresh();
      for (let index = 0; index < 101; index++) {
        await store.createRun(newRunFixture(`run-${String(index).padStart(3, '0')}`, { createdAt: FIXTURE_TIME + index }));
      }
      const first = await store.listRuns();
      expect(first.runs).toHaveLength(100);
      expect(first.runs[0]?.runId).toBe('run-100');
      expect(first.cursor).toEqual(expect.any(String));
      const rest = await store.listRuns({ cursor: first.cursor });
      expect(ids(rest.runs)).toStrictEqual(['run-000']);
      expect(rest.cursor).toBeUndefined();
      expect((await store.listRuns({ limit: 1000 })).runs).toHaveLength(101);
      expect(ids((await store.listRuns({ limit: 1 })).runs)).toStrictEqual(['run-100']);
    });

    test('listRuns rejects a limit outside 1..1000 or not an integer with InvalidArgumentError', async () => {
      const store = await fresh();
      await store.createRun(newRunFixture('run-1'));
      for (const limit of [0, -1, 1001, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        await expectRejection(() => store.listRuns({ limit }), 'invalid-argument');
      }
    });

    test('cursor paging visits each run exactly once, in order, also among runs sharing createdAt', async () => {
      const store = await fresh();
      const runs = Array.from({ length: 57 }, (_, index) => ({
        // Creation order is not listing order, and groups of four runs share one createdAt.
        runId: `run-${String((index * 37) % 57).padStart(2, '0')}`,
        createdAt: FIXTURE_TIME + Math.floor(index / 4),
      }));
      for (const run of runs)
        await store.createRun(newRunFixture(run.runId, { createdAt: run.createdAt, updatedAt: run.createdAt }));
      const walk = await listAll(store, { limit: 10 });
      expect(walk.pageSizes).toStrictEqual([10, 10, 10, 10, 10, 7]);
      expect(walk.runIds).toStrictEqual(expectedOrder(runs));
      expect(new Set(walk.runIds).size).toBe(57);
    });

    test('cursor paging with a filter visits each matching run once; a full last page has no cursor', async () => {
      const store = await fresh();
      for (let index = 0; index < 30; index++) {
        const status: RunStatus = index % 3 === 0 ? 'completed' : 'running';
        await store.createRun(
          newRunFixture(`run-${String(index).padStart(2, '0')}`, { status, createdAt: FIXTURE_TIME + (index % 7) }),
        );
      }
      const walk = await listAll(store, { status: ['running'], limit: 5 });
      expect(walk.pageSizes).toStrictEqual([5, 5, 5, 5]);
      expect(new Set(walk.runIds).size).toBe(20);
      const exact = await store.listRuns({ status: ['completed'], limit: 10 });
      expect(exact.runs).toHaveLength(10);
      expect(exact.cursor).toBeUndefined();
    });

    test('paging stays exact while listed runs are updated between pages', async () => {
      const store = await fresh();
      for (let index = 0; index < 12; index++)
        await store.createRun(newRunFixture(`run-${String(index).padStart(2, '0')}`, { createdAt: FIXTURE_TIME + index }));
      const first = await store.listRuns({ limit: 4 });
      // Touch every run, the ones already seen and the ones to come, as a busy runtime would.
      for (let index = 0; index < 12; index++)
        await store.updateRun(`run-${String(index).padStart(2, '0')}`, 0, { updatedAt: FIXTURE_TIME + 1000 - index });
      const rest = await listAll(store, { limit: 4, cursor: first.cursor });
      expect([...ids(first.runs), ...rest.runIds]).toStrictEqual(
        Array.from({ length: 12 }, (_, index) => `run-${String(11 - index).padStart(2, '0')}`),
      );
    });

    test('a malformed cursor rejects with InvalidArgumentError', async () => {
      const store = await fresh();
      await store.createRun(newRunFixture('run-1'));
      for (const cursor of ['not a cursor!', '', '\u0000', '{"runId":'.repeat(3)]) {
        await expectRejection(() => store.listRuns({ cursor }), 'invalid-argument');
      }
    });

    test('deleteRuns by runIds, by status, by updatedBefore (strict) and by their AND; returns the count', async () => {
      const store = await fresh();
      await seedStatuses(store);
      expect(await store.deleteRuns({ runIds: ['running-alpha', 'missing-run'] })).toBe(1);
      expect(await store.getRun('running-alpha')).toBeNull();
      expect(await store.deleteRuns({ runIds: [] })).toBe(0);
      expect(await store.deleteRuns({ status: ['cancelled', 'failed'] })).toBe(4);
      expect(await store.deleteRuns({ updatedBefore: FIXTURE_TIME + 30 })).toBe(1);
      expect(await store.getRun('running-beta')).toBeNull();
      expect(
        await store.deleteRuns({
          runIds: ['paused-alpha', 'completed-beta'],
          status: ['completed'],
          updatedBefore: FIXTURE_TIME + 200,
        }),
      ).toBe(1);
      expect(await store.deleteRuns({ status: ['paused'], updatedBefore: FIXTURE_TIME + 30 })).toBe(0);
      expect((await listAll(store, { limit: 3 })).runIds.sort()).toStrictEqual([
        'completed-alpha',
        'paused-alpha',
        'paused-beta',
      ]);
      expect(await store.deleteRuns({ status: [] })).toBe(0);
      expect((await store.stats()).total).toBe(3);
    });

    test('deleteRuns removes the journal: a run recreated with the same id starts empty', async () => {
      const store = await fresh();
      await store.createRun(newRunFixture('run-1'));
      await store.createRun(newRunFixture('run-10'));
      await store.append('run-1', 0, entryBatch('old', 3));
      await store.append('run-10', 0, entryBatch('keep', 2));
      expect(await store.deleteRuns({ runIds: ['run-1'] })).toBe(1);
      expect(await store.readEntries('run-1')).toStrictEqual([]);
      await expectRejection(() => store.append('run-1', 3, entryBatch('late', 1)), 'run-not-found');
      expect(await store.createRun(newRunFixture('run-1'))).toMatchObject({ version: 0, lastSeq: 0 });
      expect(await store.readEntries('run-1')).toStrictEqual([]);
      await store.append('run-1', 0, entryBatch('new', 1));
      expect((await store.readEntries('run-1')).map((entry) => entry.key)).toStrictEqual(['new#0']);
      expect(await store.readEntries('run-10')).toHaveLength(2);
    });

    test('deleteRuns without any condition rejects with InvalidArgumentError and deletes nothing', async () => {
      const store = await fresh();
      await store.createRun(newRunFixture('run-1'));
      await expectRejection(() => store.deleteRuns({}), 'invalid-argument');
      await expectRejection(() => store.deleteRuns({ runIds: undefined, status: undefined }), 'invalid-argument');
      expect((await store.stats()).total).toBe(1);
    });

    test('deleteRuns with a null or wrong-typed condition rejects naming the field and deletes nothing', async () => {
      const store = await fresh();
      await seedStatuses(store);
      const before = await store.stats();
      // Each of these once deleted every run on some store (a null condition read as "absent").
      const hostile: [unknown, string][] = [
        [{ runIds: null }, 'runIds'],
        [{ status: null }, 'status'],
        [{ updatedBefore: null }, 'updatedBefore'],
        [{ runIds: null, status: ['running'] }, 'runIds'],
        [{ status: null, updatedBefore: FIXTURE_TIME + 1000 }, 'status'],
        [{ runIds: 'running-alpha' }, 'runIds'],
        [{ runIds: { length: 1, 0: 'running-alpha' } }, 'runIds'],
        [{ status: 'running' }, 'status'],
        [{ status: ['running', 'bogus'] }, 'status'],
        [{ status: [null] }, 'status'],
        [{ updatedBefore: Number.NaN }, 'updatedBefore'],
        [{ updatedBefore: Number.POSITIVE_INFINITY }, 'updatedBefore'],
        [{ updatedBefore: '9999999999999' }, 'updatedBefore'],
        [{ status: ['completed'], workflow: 'alpha' }, 'workflow'],
        [null, 'query'],
        ['everything', 'query'],
        [['running-alpha'], 'query'],
      ];
      for (const [query, field] of hostile) {
        const error = await expectRejection(() => store.deleteRuns(query as DeleteRunsQuery), 'invalid-argument');
        expect(error.message, `message for ${JSON.stringify(query)}`).toMatch(/^\[[^\]]+\] /);
        expect(error.message, `message for ${JSON.stringify(query)}`).toContain(field);
      }
      expect(await store.stats()).toStrictEqual(before);
      expect(await store.getRun('running-alpha')).toMatchObject({ status: 'running' });
      expect(await store.getRun('running-beta')).toMatchObject({ status: 'running' });
    });

    test('stats counts runs by every status, zeros included, and follows creates, updates and deletes', async () => {
      const store = await fresh();
      expect(await store.stats()).toStrictEqual({
        total: 0,
        byStatus: { running: 0, paused: 0, failed: 0, completed: 0, cancelled: 0 },
      });
      await seedStatuses(store);
      await store.createRun(newRunFixture('extra-1', { status: 'completed' }));
      await store.updateRun('running-alpha', 0, { status: 'failed', updatedAt: FIXTURE_TIME + 500 });
      await store.append('running-beta', 0, entryBatch('end', 1), { status: 'completed', updatedAt: FIXTURE_TIME + 500 });
      await store.deleteRuns({ status: ['cancelled'] });
      expect(await store.stats()).toStrictEqual({
        total: 9,
        byStatus: { running: 0, paused: 2, failed: 3, completed: 4, cancelled: 0 },
      });
    });
  });
}
