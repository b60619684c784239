import { describe, expect, it } from 'vitest';
import { CairnError } from '../errors.ts';
import type { RunRecord } from '../storage/types.ts';
import { entryFixture, FIXTURE_TIME, newRunFixture } from '../testing/fixtures.ts';
import { type AdapterKit, createAdapterKit, defineStore, type StoreBackend } from './adapter-kit.ts';
import { resolveMaxPayloadBytes } from './payload-limit.ts';
import { copyRecord, pageOf, statsOf } from './records.ts';

const record = (runId: string, fields: Partial<RunRecord> = {}): RunRecord => ({
  ...newRunFixture(runId),
  metadata: null,
  expiresAt: null,
  attempt: 1,
  version: 0,
  lastSeq: 0,
  ...fields,
});

/** A backend whose every method fails with `failure`, counting the calls that reached it. */
function failingBackend(failure: unknown): { backend: StoreBackend; calls: string[] } {
  const calls: string[] = [];
  const fail = (name: string) => () => {
    calls.push(name);
    throw failure;
  };
  const backend = {
    createRun: fail('createRun'),
    getRun: fail('getRun'),
    updateRun: fail('updateRun'),
    append: fail('append'),
    readEntries: fail('readEntries'),
    listRuns: fail('listRuns'),
    deleteRuns: fail('deleteRuns'),
    stats: fail('stats'),
    close: () => {
      calls.push('close');
    },
  } satisfies StoreBackend;
  return { backend, calls };
}

const kitFor = (options: Partial<Parameters<typeof createAdapterKit>[0]> = {}): AdapterKit =>
  createAdapterKit({ adapter: '@acme/kv', label: 'kv', defaultMaxPayloadBytes: 64, ...options });

describe('adapter kit', () => {
  it('maps a backend failure once, with the prefix, the run and the operation, keeping the cause', async () => {
    const cause = Object.assign(new Error('disk on fire'), { code: 'EIO' });
    const { backend } = failingBackend(cause);
    const kit = kitFor({ describeFailure: (error) => ({ reason: (error as { code: string }).code, retryable: true }) });
    const store = defineStore(kit, 'kv', backend);
    const failure = await store.append('run-1', 0, [entryFixture('a#0')]).catch((error: unknown) => error);
    expect(CairnError.is(failure, 'storage-unavailable')).toBe(true);
    expect((failure as CairnError).message).toBe('[@acme/kv] kv run "run-1": append failed: EIO');
    expect((failure as CairnError).retryable).toBe(true);
    expect((failure as CairnError).cause).toBe(cause);
    const listing = await store.listRuns().catch((error: unknown) => error);
    expect((listing as CairnError).message).toBe('[@acme/kv] kv listRuns failed: EIO');
  });

  it('passes Cairn errors through and turns platform size limits into payload-too-large', async () => {
    const lost = (() => {
      try {
        return kitFor().appended('run-1', record('run-1', { lastSeq: 3 }), 2, 1, undefined);
      } catch (error) {
        return error;
      }
    })();
    const conflict = kitFor().toStoreError(lost, 'append', 'run-1');
    expect(conflict).toBe(lost);
    expect(CairnError.is(conflict, 'storage-conflict')).toBe(true);
    expect(conflict.message).toBe('[@acme/kv] run "run-1": lastSeq is 3, expected 2 (another writer got there first)');
    const tooBig = kitFor({ describeFailure: () => ({ reason: 'SQLITE_TOOBIG', tooLarge: true }) }).toStoreError(
      new Error('x'),
      'append',
      'run-1',
    );
    expect(CairnError.is(tooBig, 'payload-too-large')).toBe(true);
  });

  it('refuses bad arguments and oversize payloads before the backend is called, as rejections', async () => {
    const { backend, calls } = failingBackend(new Error('must not be reached'));
    const store = defineStore(kitFor(), 'kv', backend);
    const rejected = [
      store.createRun(newRunFixture('run 1')),
      store.createRun(newRunFixture('run-1', { input: 'x'.repeat(65) })),
      store.updateRun('run-1', -1, { updatedAt: FIXTURE_TIME }),
      store.updateRun('run-1', 0, null as never),
      store.append('run-1', 0, []),
      store.append('run-1', 0, [{ ...entryFixture('a#0'), payload: 'é'.repeat(33) }]),
      store.readEntries('run-1', { limit: 0 }),
      store.listRuns({ cursor: 'nope' }),
      store.deleteRuns({}),
      store.createRun(null as never),
      store.append('run-1', 0, [null as never]),
    ];
    const codes = (await Promise.allSettled(rejected)).map((result) =>
      result.status === 'rejected' ? (result.reason as CairnError).code : 'fulfilled',
    );
    expect(codes).toEqual([
      'invalid-run-id',
      'payload-too-large',
      'invalid-argument',
      'invalid-argument',
      'invalid-argument',
      'payload-too-large',
      'invalid-argument',
      'invalid-argument',
      'invalid-argument',
      'invalid-argument',
      'invalid-argument',
    ]);
    expect(calls).toEqual([]);
  });

  it('rejects every call after close, closes the backend once, and names where the store lives', async () => {
    const { backend, calls } = failingBackend(new Error('must not be reached'));
    const kit = kitFor({ location: 'folder "/tmp/kv"' });
    const store = defineStore(kit, 'kv', backend);
    await Promise.all([store.close(), store.close()]);
    expect(calls).toEqual(['close']);
    expect(kit.closed).toBe(true);
    const failure = (await store.getRun('run-1').catch((error: unknown) => error)) as CairnError;
    expect(failure.code).toBe('storage-unavailable');
    expect(failure.message).toBe('[@acme/kv] kv folder "/tmp/kv": the store is closed');
    expect(calls).toEqual(['close']);
  });

  it('applies the CAS rules: not found, conflict, patch and counters', () => {
    const kit = kitFor();
    const current = record('run-1', { version: 2, lastSeq: 5 });
    expect(() => kit.updated('run-1', null, 0, { updatedAt: 1 })).toThrow(/run "run-1" not found/);
    expect(() => kit.updated('run-1', current, 1, { updatedAt: 1 })).toThrow(/version is 2, expected 1/);
    const updated = kit.updated('run-1', current, 2, { status: 'paused', lastSeq: 99 } as never);
    expect([updated.version, updated.lastSeq, updated.status]).toEqual([3, 5, 'paused']);
    const appended = kit.appended('run-1', current, 5, 2, { version: 99 } as never);
    expect([appended.version, appended.lastSeq]).toEqual([2, 7]);
    expect(current.lastSeq).toBe(5);
  });

  it('has one rule for maxPayloadBytes', () => {
    expect(resolveMaxPayloadBytes('@acme/kv', undefined, 10)).toBe(10);
    expect(resolveMaxPayloadBytes('@acme/kv', 5, 10, 8)).toBe(5);
    for (const bad of [0, -1, 1.5, Number.NaN, 9])
      expect(() => resolveMaxPayloadBytes('@acme/kv', bad, 10, 8)).toThrow(
        /\[@acme\/kv\] maxPayloadBytes must be a positive integer of at most 8/,
      );
  });

  it('copies records, cuts pages and counts by status', () => {
    const source = record('run-1', { lease: { owner: 'a', expiresAt: 1 }, metadata: { k: 'v' } });
    const copy = copyRecord({ ...source, extra: 1 } as RunRecord);
    expect(copy).toStrictEqual(source);
    expect(copy.lease).not.toBe(source.lease);
    expect(copy.metadata).not.toBe(source.metadata);
    const rows = [record('c', { createdAt: 3 }), record('b', { createdAt: 2 }), record('a', { createdAt: 1 })];
    expect(pageOf(rows, 2, copyRecord)).toEqual({ runs: rows.slice(0, 2), cursor: '2.b' });
    expect(pageOf(rows, 3, copyRecord)).toEqual({ runs: rows });
    const stats = statsOf([{ status: 'running', count: 4 }, record('x', { status: 'failed' })]);
    expect(stats).toEqual({ total: 5, byStatus: { running: 4, paused: 0, failed: 1, completed: 0, cancelled: 0 } });
  });
});
