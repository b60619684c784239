/**
 * Conformance group `concurrency`: races between two handles on one backing storage (two
 * connections, tabs or stubs when the harness has `peer`, else two calls on one handle). Every
 * scenario lives in `race-scenarios.ts` and reports the rules it saw broken.
 */
import { expect } from 'vitest';
import { FIXTURE_TIME, newRunFixture } from './fixtures.ts';
import { conformanceGroup } from './group.ts';
import type { StoreHarness } from './harness.ts';
import { entryBatch, numbered } from './journal-suite.ts';
import { contendAppends, interleaveDomains, raceAppend, raceCreate, raceUpdate } from './race-scenarios.ts';

/** Register the `concurrency` group for `harness`. */
export function concurrencySuite(harness: StoreHarness): void {
  conformanceGroup(harness, 'concurrency', ({ test, pair }) => {
    test('a second handle sees every write of the first at once', async () => {
      const [first, second] = await pair();
      await first.createRun(newRunFixture('run-1'));
      const appended = await first.append('run-1', 0, entryBatch('a', 2), {
        step: { index: 2, name: 'a' },
        updatedAt: FIXTURE_TIME + 1,
      });
      expect(await second.getRun('run-1')).toStrictEqual(appended);
      expect(await second.readEntries('run-1')).toStrictEqual(numbered(entryBatch('a', 2), 1));
      const updated = await second.updateRun('run-1', 0, { cancelRequested: true, updatedAt: FIXTURE_TIME + 2 });
      expect(await first.getRun('run-1')).toStrictEqual(updated);
      expect(await second.deleteRuns({ runIds: ['run-1'] })).toBe(1);
      expect(await first.getRun('run-1')).toBeNull();
    });

    test('two handles racing append at one lastSeq: exactly one wins, the other gets storage-conflict', async () => {
      const [first, second] = await pair();
      const race = await raceAppend(first, second, 'run-1');
      expect(race.problems).toStrictEqual([]);
      expect(race.entries.map((entry) => entry.seq)).toStrictEqual(race.entries.length === 3 ? [1, 2, 3] : [1]);
    });

    test('two handles racing updateRun at one version: exactly one wins', async () => {
      const [first, second] = await pair();
      const race = await raceUpdate(first, second, 'run-1');
      expect(race.problems).toStrictEqual([]);
      expect(race.run?.version).toBe(1);
    });

    test('two handles racing createRun with one id: one wins, the other gets RunExistsError', async () => {
      const [first, second] = await pair();
      const race = await raceCreate(first, second, 'run-1');
      expect(race.problems).toStrictEqual([]);
      expect((await second.stats()).total).toBe(1);
    });

    test('two writers appending 50 entries each with retry loops leave a dense journal of 100', async () => {
      const [first, second] = await pair();
      const race = await contendAppends(first, second, 'run-1', 50);
      expect(race.problems).toStrictEqual([]);
      expect(race.entries.map((entry) => entry.seq)).toStrictEqual(Array.from({ length: 100 }, (_, index) => index + 1));
      expect(race.entries.filter((entry) => entry.key.startsWith('first#'))).toHaveLength(50);
    });

    test('appends and header updates from two handles interleave without interfering', async () => {
      const [first, second] = await pair();
      const race = await interleaveDomains(first, second, 'run-1', 20);
      expect(race.problems).toStrictEqual([]);
      expect(race.run).toMatchObject({ version: 20, lastSeq: 20, step: { index: 20, name: 'a#19' } });
    });

    test('races on different runs never conflict', async () => {
      const [first, second] = await pair();
      await first.createRun(newRunFixture('run-1'));
      await second.createRun(newRunFixture('run-2'));
      const results = await Promise.all([
        first.append('run-1', 0, entryBatch('one', 2)),
        second.append('run-2', 0, entryBatch('two', 3)),
        first.updateRun('run-2', 0, { updatedAt: FIXTURE_TIME + 1 }),
        second.updateRun('run-1', 0, { updatedAt: FIXTURE_TIME + 1 }),
      ]);
      // Each call's own CAS field is deterministic; the other field depends on the interleaving.
      expect(results.map((run) => run.runId)).toStrictEqual(['run-1', 'run-2', 'run-2', 'run-1']);
      expect([results[0]?.lastSeq, results[1]?.lastSeq, results[2]?.version, results[3]?.version]).toStrictEqual([2, 3, 1, 1]);
      expect(await first.getRun('run-1')).toMatchObject({ version: 1, lastSeq: 2 });
      expect(await second.getRun('run-2')).toMatchObject({ version: 1, lastSeq: 3 });
    });
  });
}
