/**
 * Conformance group `runs`: the run header. `createRun` stores a full record at version 0, every
 * field comes back exactly, `updateRun` is a compare-and-set on `version`, and patches follow one
 * rule: an absent (or `undefined`) field keeps its value, `null` sets `null`, anything else replaces.
 */
import { expect } from 'vitest';
import type { NewRun, RunPatch, RunRecord } from '../storage/types.ts';
import { expectMessageNamesRun, expectRejection } from './assertions.ts';
import { FIXTURE_TIME, newRunFixture, richRunFixture } from './fixtures.ts';
import { conformanceGroup } from './group.ts';
import type { StoreHarness } from './harness.ts';

/** Register the `runs` group for `harness`. */
export function runsSuite(harness: StoreHarness): void {
  conformanceGroup(harness, 'runs', ({ test, fresh }) => {
    test('createRun returns the record at version 0 and lastSeq 0', async () => {
      const store = await fresh();
      const run = newRunFixture('run-1');
      const created = await store.createRun(run);
      expect(created).toStrictEqual({ ...run, version: 0, lastSeq: 0 });
      expect(await store.getRun('run-1')).toStrictEqual(created);
    });

    test('every field round-trips exactly (nulls, nested objects, unicode, NUL, large numbers)', async () => {
      const store = await fresh();
      const plain = newRunFixture('plain_run-1');
      const rich = richRunFixture('rich_run-2');
      await store.createRun(plain);
      expect(await store.createRun(rich)).toStrictEqual({ ...rich, version: 0, lastSeq: 0 });
      expect(await store.getRun('plain_run-1')).toStrictEqual({ ...plain, version: 0, lastSeq: 0 });
      expect(await store.getRun('rich_run-2')).toStrictEqual({ ...rich, version: 0, lastSeq: 0 });
    });

    test('fields set by updateRun round-trip exactly, and can be set back to null', async () => {
      const store = await fresh();
      await store.createRun(newRunFixture('run-1'));
      const { runId: _runId, workflow: _workflow, createdAt: _createdAt, ...rich } = richRunFixture('run-1');
      const updated = await store.updateRun('run-1', 0, rich);
      const expected: RunRecord = { ...newRunFixture('run-1'), ...rich, version: 1, lastSeq: 0 };
      expect(updated).toStrictEqual(expected);
      expect(await store.getRun('run-1')).toStrictEqual(expected);

      const cleared: RunPatch = {
        status: 'running',
        pauseReason: null,
        wakeAt: null,
        lease: null,
        output: null,
        error: null,
        forkedFrom: null,
        metadata: null,
        expiresAt: null,
        attempt: 1,
        step: { index: 0, name: null },
        cancelRequested: false,
        updatedAt: FIXTURE_TIME + 9,
      };
      const back = await store.updateRun('run-1', 1, cleared);
      expect(back).toStrictEqual({ ...expected, ...cleared, version: 2 });
      expect(await store.getRun('run-1')).toStrictEqual(back);
    });

    test('metadata and expiresAt: a missing field reads back null; bad values are refused naming the run, nothing written', async () => {
      const store = await fresh();
      const { metadata: _m, expiresAt: _e, ...older } = newRunFixture('old-run');
      // A caller (or a run written before these fields existed) that leaves them out gets null.
      expect(await store.createRun(older as NewRun)).toMatchObject({ metadata: null, expiresAt: null });
      expect(await store.getRun('old-run')).toMatchObject({ metadata: null, expiresAt: null });
      const bad: Array<[string, Partial<NewRun>]> = [
        ['a list', { metadata: ['a'] as never }],
        ['a number value', { metadata: { n: 1 } as never }],
        ['a null value', { metadata: { n: null } as never }],
        ['a bad key', { metadata: { 'has space': 'x' } }],
        ['an empty key', { metadata: { '': 'x' } }],
        ['too many keys', { metadata: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])) }],
        ['a long value', { metadata: { k: 'v'.repeat(513) } }],
        ['a lone surrogate', { metadata: { k: 'a\uD800b' } }],
        ['a NaN expiry', { expiresAt: Number.NaN }],
        ['a string expiry', { expiresAt: '2030-01-01' as never }],
      ];
      for (const [what, fields] of bad) {
        const error = await expectRejection(() => store.createRun(newRunFixture('bad-run', fields)), 'invalid-argument');
        expectMessageNamesRun(error, 'bad-run');
        expect(await store.getRun('bad-run'), what).toBeNull();
      }
      await store.createRun(newRunFixture('run-2'));
      await expectRejection(
        () => store.updateRun('run-2', 0, { updatedAt: FIXTURE_TIME + 1, metadata: { k: 7 } as never }),
        'invalid-argument',
      );
      await expectRejection(
        () => store.append('run-2', 0, [], { updatedAt: FIXTURE_TIME + 1, expiresAt: Number.POSITIVE_INFINITY }),
        'invalid-argument',
      );
      expect(await store.getRun('run-2')).toMatchObject({ version: 0, lastSeq: 0, metadata: null, expiresAt: null });
      const patch = { updatedAt: FIXTURE_TIME + 2, metadata: { tenant: 't-1' }, expiresAt: FIXTURE_TIME + 5 };
      expect(await store.updateRun('run-2', 0, patch)).toMatchObject({
        metadata: { tenant: 't-1' },
        expiresAt: FIXTURE_TIME + 5,
      });
      expect(await store.getRun('run-2')).toMatchObject({ metadata: { tenant: 't-1' }, expiresAt: FIXTURE_TIME + 5 });
    });

    test('createRun of a taken id rejects with RunExistsError and keeps the first run', async () => {
      const store = await fresh();
      const first = await store.createRun(newRunFixture('run-1', { workflow: 'first' }));
      const error = await expectRejection(() => store.createRun(newRunFixture('run-1', { workflow: 'second' })), 'run-exists');
      expectMessageNamesRun(error, 'run-1');
      expect(await store.getRun('run-1')).toStrictEqual(first);
    });

    test('getRun of a missing run resolves to null', async () => {
      const store = await fresh();
      expect(await store.getRun('missing-run')).toBeNull();
      await store.createRun(newRunFixture('run-1'));
      expect(await store.getRun('run-10')).toBeNull();
    });

    test('updateRun bumps version by exactly one per call and returns what getRun then reads', async () => {
      const store = await fresh();
      await store.createRun(newRunFixture('run-1'));
      for (let version = 0; version < 3; version++) {
        const updated = await store.updateRun('run-1', version, { updatedAt: FIXTURE_TIME + version + 1 });
        expect(updated.version).toBe(version + 1);
        expect(updated.updatedAt).toBe(FIXTURE_TIME + version + 1);
        expect(await store.getRun('run-1')).toStrictEqual(updated);
      }
    });

    test('updateRun with a stale or future version rejects with storage-conflict and writes nothing', async () => {
      const store = await fresh();
      await store.createRun(newRunFixture('run-1'));
      const current = await store.updateRun('run-1', 0, { status: 'paused', pauseReason: 'manual', updatedAt: FIXTURE_TIME + 1 });
      for (const stale of [0, 2, 7]) {
        const error = await expectRejection(
          () => store.updateRun('run-1', stale, { status: 'failed', error: '{"lost":true}', updatedAt: FIXTURE_TIME + 2 }),
          'storage-conflict',
        );
        expectMessageNamesRun(error, 'run-1');
      }
      expect(await store.getRun('run-1')).toStrictEqual(current);
    });

    test('updateRun of a missing run rejects with RunNotFoundError and creates nothing', async () => {
      const store = await fresh();
      const error = await expectRejection(() => store.updateRun('missing-run', 0, { updatedAt: FIXTURE_TIME }), 'run-not-found');
      expectMessageNamesRun(error, 'missing-run');
      expect(await store.getRun('missing-run')).toBeNull();
      expect((await store.stats()).total).toBe(0);
    });

    test('a patch keeps absent and undefined fields, and null sets null', async () => {
      const store = await fresh();
      const rich = richRunFixture('run-1');
      await store.createRun(rich);
      const patch = { lease: null, wakeAt: null, output: undefined, error: undefined, updatedAt: FIXTURE_TIME + 5 };
      const updated = await store.updateRun('run-1', 0, patch);
      const expected: RunRecord = { ...rich, lease: null, wakeAt: null, updatedAt: FIXTURE_TIME + 5, version: 1, lastSeq: 0 };
      expect(updated).toStrictEqual(expected);
      expect(await store.getRun('run-1')).toStrictEqual(expected);
    });

    test('records are values: mutating an argument or a result never changes the stored run', async () => {
      const store = await fresh();
      const run = richRunFixture('run-1');
      const created = await store.createRun(run);
      run.usage.inputTokens = -1;
      run.step.name = 'mutated';
      created.usage.outputTokens = -1;
      (created.lease as { owner: string }).owner = 'mutated';
      const read = await store.getRun('run-1');
      expect(read).toStrictEqual({ ...richRunFixture('run-1'), version: 0, lastSeq: 0 });
      const patch: RunPatch = { step: { index: 1, name: 'a' }, updatedAt: FIXTURE_TIME + 3 };
      await store.updateRun('run-1', 0, patch);
      (patch.step as { name: string }).name = 'mutated';
      expect((await store.getRun('run-1'))?.step).toStrictEqual({ index: 1, name: 'a' });
    });

    test('a run id of 128 characters is valid and distinct ids never collide', async () => {
      const store = await fresh();
      const longest = 'x'.repeat(127) + 'Y';
      await store.createRun(newRunFixture(longest, { workflow: 'long' }));
      await store.createRun(newRunFixture('RUN-a', { workflow: 'upper' }));
      await store.createRun(newRunFixture('run-a', { workflow: 'lower' }));
      expect((await store.getRun(longest))?.workflow).toBe('long');
      expect((await store.getRun('RUN-a'))?.workflow).toBe('upper');
      expect((await store.getRun('run-a'))?.workflow).toBe('lower');
    });
  });
}
