// Web Locks inside one Chromium page: locks are per origin, so two lock sets in one page contend
// exactly as two tabs do. Two real pages (and a crashed holder) are covered by test/e2e.
import { CairnError, type HeldRunLock } from '@cairn/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebLocks } from './web-locks.ts';

const held: HeldRunLock[] = [];

afterEach(() => {
  for (const lock of held.splice(0)) lock.release();
});

function keep<T extends HeldRunLock | null>(lock: T): T {
  if (lock) held.push(lock);
  return lock;
}

async function heldNames(): Promise<string[]> {
  const snapshot = await navigator.locks.query();
  return (snapshot.held ?? []).map((lock) => lock.name ?? '').sort();
}

function settledWithin<T>(promise: Promise<T>, ms: number): Promise<'pending' | { value: T }> {
  return Promise.race([
    promise.then((value) => ({ value })),
    new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms)),
  ]);
}

describe('createWebLocks', () => {
  it('gives the lock of a run to exactly one of two racing tryAcquire calls', async () => {
    const prefix = `test-${crypto.randomUUID()}:`;
    const [first, second] = [createWebLocks({ prefix }), createWebLocks({ prefix })];
    const results = await Promise.all([first.tryAcquire('run-1'), second.tryAcquire('run-1')].map((p) => p.then(keep)));
    expect(results.filter((lock) => lock !== null)).toHaveLength(1);
    expect(await heldNames()).toContain(`${prefix}run-1`);
  });

  it('frees the lock on release (idempotently) so another caller can take it', async () => {
    const locks = createWebLocks({ prefix: `test-${crypto.randomUUID()}:` });
    const lock = keep(await locks.tryAcquire('run-1'));
    expect(lock).not.toBeNull();
    expect(await locks.tryAcquire('run-1')).toBeNull();
    lock?.release();
    lock?.release();
    const again = keep(await locks.tryAcquire('run-1'));
    expect(again).not.toBeNull();
    expect(again?.signal?.aborted).toBe(false);
  });

  it('locks runs independently and namespaces them by prefix', async () => {
    const prefix = `test-${crypto.randomUUID()}:`;
    const locks = createWebLocks({ prefix });
    expect(keep(await locks.tryAcquire('run-1'))).not.toBeNull();
    expect(keep(await locks.tryAcquire('run-2'))).not.toBeNull();
    expect(keep(await createWebLocks({ prefix: `other-${prefix}` }).tryAcquire('run-1'))).not.toBeNull();
    expect(await heldNames()).toEqual(expect.arrayContaining([`${prefix}run-1`, `${prefix}run-2`, `other-${prefix}run-1`]));
  });

  it('rejects an invalid run id without requesting a lock', async () => {
    const locks = createWebLocks();
    const failure = await locks.tryAcquire('no spaces allowed').catch((error: unknown) => error);
    expect(CairnError.is(failure, 'invalid-run-id')).toBe(true);
    const waiting = await locks.waitForRunLock('../x').catch((error: unknown) => error);
    expect(CairnError.is(waiting, 'invalid-run-id')).toBe(true);
  });

  it('aborts the held lock signal when another context steals the lock', async () => {
    const prefix = `test-${crypto.randomUUID()}:`;
    const lock = keep(await createWebLocks({ prefix }).tryAcquire('run-1'));
    const aborted = new Promise<void>((resolve) => lock?.signal?.addEventListener('abort', () => resolve(), { once: true }));
    await navigator.locks.request(`${prefix}run-1`, { steal: true }, async () => {});
    expect(await settledWithin(aborted, 2000)).not.toBe('pending');
    expect(lock?.signal?.aborted).toBe(true);
  });
});

describe('waitForRunLock', () => {
  it('waits while the lock is held and takes it as soon as it is released', async () => {
    const prefix = `test-${crypto.randomUUID()}:`;
    const driver = createWebLocks({ prefix });
    const standby = createWebLocks({ prefix });
    const lock = keep(await driver.tryAcquire('run-1'));
    const waiting = standby.waitForRunLock('run-1').then(keep);
    expect(await settledWithin(waiting, 200)).toBe('pending');
    lock?.release();
    const taken = await settledWithin(waiting, 2000);
    expect(taken).not.toBe('pending');
    expect(await driver.tryAcquire('run-1')).toBeNull();
  });

  it('stops waiting with AbortedError when its signal aborts, leaving no queued request', async () => {
    const prefix = `test-${crypto.randomUUID()}:`;
    const locks = createWebLocks({ prefix });
    const lock = keep(await locks.tryAcquire('run-1'));
    const controller = new AbortController();
    const waiting = locks.waitForRunLock('run-1', { signal: controller.signal }).catch((error: unknown) => error);
    controller.abort();
    const failure = await waiting;
    expect(CairnError.is(failure, 'aborted')).toBe(true);
    expect((failure as Error).message).toContain('"run-1"');
    const snapshot = await navigator.locks.query();
    expect((snapshot.pending ?? []).filter((request) => request.name === `${prefix}run-1`)).toEqual([]);
    lock?.release();
    expect(keep(await locks.tryAcquire('run-1'))).not.toBeNull();
  });
});
