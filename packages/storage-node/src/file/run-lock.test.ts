// The on-disk run lock, exercised through the store: locks left by dead processes are broken at
// once, live ones are waited for (then refused retryably), and any lock past lockStaleMs is broken.
import { spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CairnError, type DurableStore } from '@cairn/core';
import { entryFixture, newRunFixture } from '@cairn/core/testing';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type CreateFileStoreOptions, createFileStore } from './file-store.ts';
import { currentIdentity, type ProcessIdentity } from './process-identity.ts';

const temp = makeTempDir('run-lock');
afterAll(() => temp.remove());
const opened: DurableStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

async function storeWithRun(options: Omit<CreateFileStoreOptions, 'dir'> = {}): Promise<{ dir: string; store: DurableStore }> {
  const dir = join(temp.path, crypto.randomUUID());
  const store = createFileStore({ dir, ...options });
  opened.push(store);
  await store.createRun(newRunFixture('run-1'));
  return { dir, store };
}

/** Leave a lock on run-1 as if `owner` held it: its owner file, hard-linked as the lock. */
function plantLock(dir: string, owner: Partial<ProcessIdentity> | string): string {
  const ownerDir = join(dir, 'foreign-owners');
  mkdirSync(ownerDir, { recursive: true });
  const ownerPath = join(ownerDir, crypto.randomUUID());
  writeFileSync(ownerPath, typeof owner === 'string' ? owner : JSON.stringify({ ...currentIdentity(), ...owner }));
  const lockPath = join(dir, 'runs', 'run-1', 'lock');
  linkSync(ownerPath, lockPath);
  return lockPath;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('file store run lock', () => {
  it('breaks at once a lock whose owner process is dead', async () => {
    const { dir, store } = await storeWithRun({ lockStaleMs: 60_000, lockTimeoutMs: 60_000 });
    const lockPath = plantLock(dir, { pid: deadPid() });
    const started = Date.now();
    expect((await store.append('run-1', 0, [entryFixture('a#0')])).lastSeq).toBe(1);
    expect(Date.now() - started).toBeLessThan(5000);
    // The store keeps the lock as a lease for a few idle milliseconds, then lets it go.
    await sleep(100);
    expect(existsSync(lockPath)).toBe(false);
  });

  it('breaks a lock whose pid now belongs to another process (start time differs)', async () => {
    const identity = currentIdentity();
    if (identity.start === null) return; // Only where /proc gives start times.
    const { dir, store } = await storeWithRun({ lockStaleMs: 60_000 });
    plantLock(dir, { pid: process.pid, start: identity.start - 1 });
    expect((await store.append('run-1', 0, [entryFixture('a#0')])).lastSeq).toBe(1);
  });

  it('breaks a lock left by a previous boot of this host', async () => {
    const { dir, store } = await storeWithRun({ lockStaleMs: 60_000 });
    if (currentIdentity().boot === '') return;
    plantLock(dir, { boot: 'an-earlier-boot' });
    expect((await store.append('run-1', 0, [entryFixture('a#0')])).lastSeq).toBe(1);
  });

  it("hands a lease over to another handle that asks for it, and each sees the other's writes", async () => {
    const { dir, store } = await storeWithRun();
    const other = createFileStore({ dir });
    opened.push(other);
    // The first handle keeps writing (holding its lease); the second asks for the lock meanwhile.
    let lastSeq = 0;
    const writer = (async () => {
      for (let index = 0; index < 40; index++)
        lastSeq = (await store.append('run-1', lastSeq, [entryFixture(`a#${index}`)])).lastSeq;
    })();
    const signal = await other.updateRun('run-1', 0, { cancelRequested: true, updatedAt: 3 });
    await writer;
    expect(signal.version).toBe(1);
    expect(await store.getRun('run-1')).toMatchObject({ version: 1, lastSeq: 40, cancelRequested: true });
    expect((await other.readEntries('run-1')).map((entry) => entry.seq)).toStrictEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
  });

  it('waits for a live holder, then refuses retryably naming it, and leaves its lock alone', async () => {
    const { dir, store } = await storeWithRun({ lockStaleMs: 60_000, lockTimeoutMs: 300 });
    const lockPath = plantLock(dir, {}); // this very process: alive
    const started = Date.now();
    const error = await store.append('run-1', 0, [entryFixture('a#0')]).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(CairnError.is(error, 'storage-unavailable') && error.retryable).toBe(true);
    expect((error as Error).message).toContain(`pid ${process.pid}`);
    expect(existsSync(lockPath)).toBe(true);
    expect((await store.getRun('run-1'))?.lastSeq).toBe(0);
  });

  it('breaks any lock older than lockStaleMs, live owner or unreadable owner file', async () => {
    for (const owner of [{}, '']) {
      const { dir, store } = await storeWithRun({ lockStaleMs: 200, lockTimeoutMs: 10_000 });
      plantLock(dir, owner);
      const started = Date.now();
      expect((await store.append('run-1', 0, [entryFixture('a#0')])).lastSeq).toBe(1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    }
  });

  it('a lease is released when idle (no file left behind); a missing run is not-found, not a lock error', async () => {
    const { dir, store } = await storeWithRun();
    await store.append('run-1', 0, [entryFixture('a#0')]);
    await store.updateRun('run-1', 0, { updatedAt: 2 });
    expect(existsSync(join(dir, 'runs', 'run-1', 'lock'))).toBe(true);
    await sleep(100);
    expect(existsSync(join(dir, 'runs', 'run-1', 'lock'))).toBe(false);
    const error = await store.append('missing', 0, [entryFixture('a#0')]).catch((reason: unknown) => reason);
    expect(CairnError.is(error, 'run-not-found')).toBe(true);
  });
});
