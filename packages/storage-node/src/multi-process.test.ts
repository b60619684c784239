// Real processes racing on one store: each child opens its own handle (its own SQLite connection,
// its own file-store owner, its own Postgres pool), says it is ready, and all start when every one is.
import { newRunFixture } from '@cairn/core/testing';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRacingChildren } from '../test/test-support/child-processes.ts';
import { openFixtureStore } from '../test/test-support/fixtures/open-fixture-store.ts';
import { STORE_KINDS } from '../test/test-support/store-kinds.ts';

const temp = makeTempDir('multi-process');
afterAll(() => temp.remove());

const STORES = [STORE_KINDS.sqlite, STORE_KINDS.file, STORE_KINDS.postgres, STORE_KINDS.redis];

describe.each(STORES)('$kind store across processes', (storeKind) => {
  const { kind, location, check } = storeKind;
  beforeAll(() => storeKind.setup(temp.path), 60_000);
  afterAll(() => storeKind.teardown());

  it('4 processes appending 100 entries each with retry loops leave a dense journal with each entry once', async () => {
    const at = location('append-race');
    const setup = openFixtureStore(kind, at);
    await setup.createRun(newRunFixture('run-1'));
    await setup.close();
    const names = ['alpha', 'bravo', 'charlie', 'delta'];
    const total = names.length * 100;
    const children = await runRacingChildren(
      'race-append.ts',
      names.map((name) => [kind, at, 'run-1', name, '100']),
    );
    for (const child of children) expect(child.code, child.stderr).toBe(0);

    const store = openFixtureStore(kind, at);
    const entries = await store.readEntries('run-1');
    const run = await store.getRun('run-1');
    await store.close();
    expect(entries.map((entry) => entry.seq)).toStrictEqual(Array.from({ length: total }, (_, index) => index + 1));
    expect(run?.lastSeq).toBe(total);
    for (const name of names) {
      const keys = entries.filter((entry) => entry.key.startsWith(`${name}#`)).map((entry) => entry.key);
      expect(keys).toStrictEqual(Array.from({ length: 100 }, (_, index) => `${name}#${index}`));
    }
    // The patch of the last append is the header: its step names the last entry's writer.
    expect(run?.step).toStrictEqual({ index: total, name: entries[total - 1]?.key.split('#')[0] });
    // They really raced: some appends lost their compare-and-set and were retried.
    const conflicts = children.reduce((sum, child) => sum + child.result.conflicts, 0);
    expect(conflicts).toBeGreaterThan(0);
    const report = await check(at);
    expect(report.problems).toStrictEqual([]);
    expect(report).toMatchObject({ ok: true, runs: 1, entries: total });
  });

  it('4 processes racing createRun on one id: exactly one creates it, the others get run-exists', async () => {
    const at = location('create-race');
    const names = ['w0', 'w1', 'w2', 'w3'];
    const children = await runRacingChildren(
      'race-create.ts',
      names.map((name) => [kind, at, 'run-1', name]),
    );
    for (const child of children) expect(child.code, child.stderr).toBe(0);
    const outcomes = children.map((child) => child.result.outcome).sort();
    expect(outcomes).toStrictEqual(['created', 'run-exists', 'run-exists', 'run-exists']);
    const winner = children.find((child) => child.result.outcome === 'created')?.result.name;
    const store = openFixtureStore(kind, at);
    expect((await store.getRun('run-1'))?.workflow).toBe(winner);
    expect((await store.stats()).total).toBe(1);
    await store.close();
    expect((await check(at)).ok).toBe(true);
  });
});
