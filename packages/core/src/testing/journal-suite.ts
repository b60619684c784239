/**
 * Conformance group `journal`: `append` is a compare-and-set on `lastSeq` that numbers entries
 * densely, writes a batch and its patch all together or not at all, and never touches `version`;
 * `readEntries` pages the journal in ascending order.
 */
import { expect } from 'vitest';
import { ENTRY_KINDS, type JournalEntry, type NewEntry } from '../storage/types.ts';
import { expectMessageNamesRun, expectRejection } from './assertions.ts';
import { AWKWARD_TEXT, entryFixture, FIXTURE_TIME, newRunFixture, textOfBytes } from './fixtures.ts';
import { conformanceGroup } from './group.ts';
import type { StoreHarness } from './harness.ts';

/** `entries` numbered from `firstSeq`, as the store should return them. */
export function numbered(entries: readonly NewEntry[], firstSeq: number): JournalEntry[] {
  return entries.map((entry, index) => ({ ...entry, seq: firstSeq + index }));
}

/** `count` distinct entries with keys `${prefix}#0`, `${prefix}#1`, … */
export function entryBatch(prefix: string, count: number, from = 0): NewEntry[] {
  return Array.from({ length: count }, (_, index) =>
    entryFixture(`${prefix}#${from + index}`, { createdAt: FIXTURE_TIME + from + index }),
  );
}

/** Register the `journal` group for `harness`. */
export function journalSuite(harness: StoreHarness): void {
  conformanceGroup(harness, 'journal', ({ test, fresh }) => {
    test('append numbers entries densely from expectedLastSeq + 1 and returns the new lastSeq', async () => {
      const store = await fresh();
      await store.createRun(newRunFixture('run-1'));
      const first = entryBatch('a', 3);
      expect((await store.append('run-1', 0, first)).lastSeq).toBe(3);
      const second = entryBatch('b', 2);
      const record = await store.append('run-1', 3, second);
      expect(record.lastSeq).toBe(5);
      expect(await store.getRun('run-1')).toStrictEqual(record);
      expect(await store.readEntries('run-1')).toStrictEqual([...numbered(first, 1), ...numbered(second, 4)]);
    });

    test('entries of every kind round-trip exactly (kind, key, payload, createdAt, seq)', async () => {
      const store = await fresh();
      await store.createRun(newRunFixture('run-1'));
      const entries = ENTRY_KINDS.map((kind, index) =>
        entryFixture(`${kind}-\u{1F50D}#${index}`, {
          kind,
          payload: index % 2 ? AWKWARD_TEXT : `{"i":${index}}`,
          createdAt: FIXTURE_TIME + index * 1000,
        }),
      );
      entries.push(entryFixture('empty-payload#0', { payload: '' }));
      await store.append('run-1', 0, entries);
      expect(await store.readEntries('run-1')).toStrictEqual(numbered(entries, 1));
    });

    test('append never changes version, and updateRun never changes lastSeq', async () => {
      const store = await fresh();
      await store.createRun(newRunFixture('run-1'));
      const appended = await store.append('run-1', 0, entryBatch('a', 2), {
        step: { index: 2, name: 'a' },
        updatedAt: FIXTURE_TIME + 1,
      });
      expect(appended.version).toBe(0);
      const updated = await store.updateRun('run-1', 0, { updatedAt: FIXTURE_TIME + 2 });
      expect(updated).toMatchObject({ version: 1, lastSeq: 2, step: { index: 2, name: 'a' } });
      const again = await store.append('run-1', 2, entryBatch('b', 1));
      expect(again).toMatchObject({ version: 1, lastSeq: 3 });
    });

    test('the patch of an append is applied together with its entries', async () => {
      const store = await fresh();
      await store.createRun(newRunFixture('run-1'));
      const patch = {
        status: 'completed' as const,
        output: AWKWARD_TEXT,
        lease: null,
        step: { index: 1, name: 'end' },
        updatedAt: FIXTURE_TIME + 7,
      };
      const record = await store.append('run-1', 0, [entryFixture('run-end#0', { kind: 'run-end' })], patch);
      const expected = { ...newRunFixture('run-1'), ...patch, version: 0, lastSeq: 1 };
      expect(record).toStrictEqual(expected);
      expect(await store.getRun('run-1')).toStrictEqual(expected);
    });

    test('append at a stale or future lastSeq rejects with storage-conflict and writes nothing', async () => {
      const store = await fresh();
      await store.createRun(newRunFixture('run-1'));
      const before = await store.append('run-1', 0, entryBatch('a', 2));
      for (const stale of [0, 1, 3, 10]) {
        const error = await expectRejection(
          () => store.append('run-1', stale, entryBatch('lost', 2), { status: 'failed', updatedAt: FIXTURE_TIME + 9 }),
          'storage-conflict',
        );
        expectMessageNamesRun(error, 'run-1');
      }
      expect(await store.getRun('run-1')).toStrictEqual(before);
      expect(await store.readEntries('run-1')).toStrictEqual(numbered(entryBatch('a', 2), 1));
    });

    test('a batch with one oversize entry writes nothing: no entry, same lastSeq, patch not applied', async () => {
      const store = await fresh();
      await store.createRun(newRunFixture('run-1'));
      const before = await store.append('run-1', 0, entryBatch('a', 1));
      const batch = [...entryBatch('b', 2), entryFixture('big#0', { payload: textOfBytes(store.limits.maxPayloadBytes + 1) })];
      await expectRejection(
        () => store.append('run-1', 1, batch, { status: 'completed', updatedAt: FIXTURE_TIME + 1 }),
        'payload-too-large',
      );
      expect(await store.getRun('run-1')).toStrictEqual(before);
      expect(await store.readEntries('run-1')).toStrictEqual(numbered(entryBatch('a', 1), 1));
      expect((await store.append('run-1', 1, entryBatch('c', 1))).lastSeq).toBe(2);
    });

    test('readEntries honours afterSeq and limit, ascending', async () => {
      const store = await fresh();
      await store.createRun(newRunFixture('run-1'));
      const entries = entryBatch('s', 10);
      await store.append('run-1', 0, entries.slice(0, 4));
      await store.append('run-1', 4, entries.slice(4));
      const all = numbered(entries, 1);
      expect(await store.readEntries('run-1', {})).toStrictEqual(all);
      expect(await store.readEntries('run-1', { afterSeq: 0 })).toStrictEqual(all);
      expect(await store.readEntries('run-1', { afterSeq: 3, limit: 4 })).toStrictEqual(all.slice(3, 7));
      expect(await store.readEntries('run-1', { limit: 1 })).toStrictEqual(all.slice(0, 1));
      expect(await store.readEntries('run-1', { afterSeq: 8, limit: 100 })).toStrictEqual(all.slice(8));
      expect(await store.readEntries('run-1', { afterSeq: 10 })).toStrictEqual([]);
      expect(await store.readEntries('run-1', { afterSeq: 500, limit: 5 })).toStrictEqual([]);
    });

    test('readEntries of a missing run resolves to []', async () => {
      const store = await fresh();
      expect(await store.readEntries('missing-run')).toStrictEqual([]);
      expect(await store.readEntries('missing-run', { afterSeq: 2, limit: 3 })).toStrictEqual([]);
    });

    test('append and updateRun on a missing run reject with RunNotFoundError and create nothing', async () => {
      const store = await fresh();
      const appendError = await expectRejection(() => store.append('missing-run', 0, entryBatch('a', 1)), 'run-not-found');
      expectMessageNamesRun(appendError, 'missing-run');
      const updateError = await expectRejection(
        () => store.updateRun('missing-run', 0, { updatedAt: FIXTURE_TIME }),
        'run-not-found',
      );
      expectMessageNamesRun(updateError, 'missing-run');
      expect(await store.getRun('missing-run')).toBeNull();
      expect(await store.readEntries('missing-run')).toStrictEqual([]);
    });

    test('journals of runs whose ids share a prefix stay separate', async () => {
      const store = await fresh();
      const ids = ['r', 'r-1', 'r_1', 'r1', 'R'];
      for (const runId of ids) await store.createRun(newRunFixture(runId));
      for (const [index, runId] of ids.entries()) await store.append(runId, 0, entryBatch(runId, index + 1));
      for (const [index, runId] of ids.entries()) {
        expect(await store.readEntries(runId)).toStrictEqual(numbered(entryBatch(runId, index + 1), 1));
        expect((await store.getRun(runId))?.lastSeq).toBe(index + 1);
      }
    });

    test('a journal of 2 000 entries reads back completely and in order, also page by page', async () => {
      const store = await fresh();
      await store.createRun(newRunFixture('run-1'));
      const total = 2000;
      const batch = 100;
      for (let seq = 0; seq < total; seq += batch) {
        expect((await store.append('run-1', seq, entryBatch('step', batch, seq))).lastSeq).toBe(seq + batch);
      }
      const expected = numbered(entryBatch('step', total), 1);
      expect(await store.readEntries('run-1')).toStrictEqual(expected);
      const pages: JournalEntry[][] = [];
      for (let afterSeq = 0; ; ) {
        const page = await store.readEntries('run-1', { afterSeq, limit: 300 });
        if (page.length === 0) break;
        pages.push(page);
        afterSeq = page[page.length - 1]!.seq;
      }
      expect(pages.map((page) => page.length)).toStrictEqual([300, 300, 300, 300, 300, 300, 200]);
      expect(pages.flat()).toStrictEqual(expected);
    });
  });
}
