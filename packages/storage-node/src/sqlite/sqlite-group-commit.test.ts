// Group commit in the SQLite store (ADR 0180): the writes of one event-loop turn share one
// transaction, yet each call keeps its own outcome, nothing is visible or acknowledged before the
// commit, and a failed commit fails every call of its group without writing anything.
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { CairnError, type DurableStore } from '@cairn/core';
import { entryFixture, newRunFixture } from '@cairn/core/testing';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from './sqlite-store.ts';

const temp = makeTempDir('sqlite-group-commit');
afterAll(() => temp.remove());
const opened: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const handle of opened.splice(0)) await handle.close();
});

function open(path: string, busyTimeoutMs?: number): DurableStore {
  const store = createSqliteStore({ path, ...(busyTimeoutMs === undefined ? {} : { busyTimeoutMs }) });
  opened.push(store);
  return store;
}

const freshPath = () => join(temp.path, `${crypto.randomUUID()}.db`);

describe('sqlite group commit', () => {
  it('commits the appends of 200 runs made in one turn, each with its own result, none visible before it resolves', async () => {
    const path = freshPath();
    const store = open(path);
    const peer = open(path);
    const ids = Array.from({ length: 200 }, (_, i) => `run-${i}`);
    await Promise.all(ids.map((id) => store.createRun(newRunFixture(id))));
    const appends = ids.map((id, i) =>
      store.append(id, 0, [entryFixture(`s#${i}`)], { step: { index: i, name: 's' }, updatedAt: 2 }),
    );
    // Same turn, before the group ran: a second connection sees none of them.
    expect(await peer.readEntries('run-7')).toEqual([]);
    const records = await Promise.all(appends);
    records.forEach((record, i) => {
      expect(record.runId).toBe(ids[i]);
      expect(record.lastSeq).toBe(1);
      expect(record.step).toEqual({ index: i, name: 's' });
    });
    for (const id of ['run-0', 'run-7', 'run-199']) expect((await peer.readEntries(id)).map((e) => e.seq)).toEqual([1]);
  });

  it('rejects the call that loses its CAS and commits the others of the same group', async () => {
    const store = open(freshPath());
    await store.createRun(newRunFixture('a'));
    await store.createRun(newRunFixture('b'));
    await store.append('a', 0, [entryFixture('first')]);
    const results = await Promise.allSettled([
      store.append('a', 0, [entryFixture('stale')], { status: 'failed', updatedAt: 2 }),
      store.append('b', 0, [entryFixture('fresh')]),
      store.updateRun('missing', 1, { status: 'failed', updatedAt: 2 }),
    ]);
    expect(results[0]!.status).toBe('rejected');
    expect(CairnError.is((results[0] as PromiseRejectedResult).reason, 'storage-conflict')).toBe(true);
    expect(results[1]!.status).toBe('fulfilled');
    expect(CairnError.is((results[2] as PromiseRejectedResult).reason, 'run-not-found')).toBe(true);
    expect((await store.readEntries('a')).map((e) => e.key)).toEqual(['first']);
    expect((await store.getRun('a'))!.status).not.toBe('failed');
    expect((await store.readEntries('b')).map((e) => e.key)).toEqual(['fresh']);
  });

  it('a call alone in its group that fails after its first write leaves nothing of it (no savepoint needed)', async () => {
    const path = freshPath();
    const store = open(path);
    await store.createRun(newRunFixture('torn'));
    await store.append('torn', 0, [entryFixture('one')]);
    // A stray row at seq 3 (written behind the store's back) makes the second insert of the next
    // append fail after the first (seq 2) went in.
    const raw = new DatabaseSync(path);
    raw
      .prepare(
        "INSERT INTO cairn_entries (run_id, seq, kind, key, payload, created_at) VALUES ('torn', 3, 'step-end', 'stray', '{}', 1)",
      )
      .run();
    raw.close();
    const failed = await store
      .append('torn', 1, [entryFixture('two'), entryFixture('three')], { status: 'failed', updatedAt: 5 })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(CairnError.is(failed)).toBe(true);
    expect((failed as Error).message).toContain('torn');
    expect((await store.readEntries('torn')).map((e) => e.key)).toEqual(['one', 'stray']);
    const run = await store.getRun('torn');
    expect(run).toMatchObject({ lastSeq: 1, status: 'running' });
    // The handle is not wedged: the next call on another run commits.
    await store.createRun(newRunFixture('after'));
    expect((await store.getRun('after'))!.lastSeq).toBe(0);
  });

  it('runs calls of one group in arrival order: a second append on the same run sees the first', async () => {
    const path = freshPath();
    const store = open(path);
    await store.createRun(newRunFixture('r'));
    const [first, second, stale] = await Promise.allSettled([
      store.append('r', 0, [entryFixture('one')]),
      store.append('r', 1, [entryFixture('two')]),
      store.append('r', 1, [entryFixture('lost')]),
    ]);
    expect(first.status === 'fulfilled' && first.value.lastSeq).toBe(1);
    expect(second.status === 'fulfilled' && second.value.lastSeq).toBe(2);
    expect(stale.status === 'rejected' && CairnError.is(stale.reason, 'storage-conflict')).toBe(true);
    // A fresh connection (no cache) agrees.
    expect((await open(path).readEntries('r')).map((e) => e.key)).toEqual(['one', 'two']);
  });

  it('fails every call of a group retryably when the write lock cannot be had, writes nothing, and recovers', async () => {
    const path = freshPath();
    const store = open(path, 50);
    await store.createRun(newRunFixture('x'));
    await store.createRun(newRunFixture('y'));
    const blocker = new DatabaseSync(path);
    opened.push(blocker);
    blocker.exec('BEGIN IMMEDIATE');
    const results = await Promise.allSettled([
      store.append('x', 0, [entryFixture('e')]),
      store.append('y', 0, [entryFixture('e')]),
      store.createRun(newRunFixture('z')),
    ]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const reason = (result as PromiseRejectedResult).reason;
      expect(CairnError.is(reason, 'storage-unavailable') && reason.retryable).toBe(true);
    }
    blocker.exec('ROLLBACK');
    expect(await store.getRun('z')).toBeNull();
    expect(await store.readEntries('x')).toEqual([]);
    // Nothing was cached from the failed group: the retried CAS sees lastSeq 0.
    expect((await store.append('x', 0, [entryFixture('e')])).lastSeq).toBe(1);
    expect((await store.append('y', 0, [entryFixture('e')])).lastSeq).toBe(1);
  });

  it('commits writes still queued when the store is closed, before closing', async () => {
    const path = freshPath();
    const store = createSqliteStore({ path });
    await store.createRun(newRunFixture('c'));
    const pending = store.append('c', 0, [entryFixture('last')]);
    await store.close();
    expect((await pending).lastSeq).toBe(1);
    expect((await open(path).readEntries('c')).map((e) => e.key)).toEqual(['last']);
  });
});
