/**
 * PROTOTYPE, bench only — cross-run group commit for the SQLite store, to show what it would buy.
 *
 * The store underneath runs with `synchronous=NORMAL`: each write commits to the WAL at once
 * (visible, atomic, CAS-checked as usual) but is not fsync'd. This wrapper holds back the promise of
 * every write and, once per macrotask turn (`setImmediate`), calls `fdatasync` on the WAL file once
 * and then resolves every write held since the previous sync. A write therefore resolves only when
 * it is on disk, as with `synchronous=FULL`, but N runs' commits share one sync.
 *
 * Not production-ready: readers can see a committed write before it is durable (as with NORMAL);
 * the WAL descriptor is assumed to stay the same file (true while this process holds the database
 * open); errors of the sync are reported to every held write.
 */
import { closeSync, fdatasyncSync, openSync } from 'node:fs';
import type { DurableStore } from '@cairn/core';

/** How many syncs the prototype issued and how many writes they covered. */
export interface GroupCommitStats {
  syncs: number;
  writes: number;
}

/** Wrap `inner` (a SQLite store opened with synchronous NORMAL on `path`) with group commit. */
export function groupCommitStore(inner: DurableStore, path: string): { store: DurableStore; stats: GroupCommitStats } {
  const stats: GroupCommitStats = { syncs: 0, writes: 0 };
  let held: Array<() => void> = [];
  let scheduled = false;
  let walFd: number | undefined;

  function flush(): void {
    scheduled = false;
    const batch = held;
    held = [];
    walFd ??= openSync(`${path}-wal`, 'r');
    fdatasyncSync(walFd);
    stats.syncs++;
    for (const release of batch) release();
  }

  function durable<T>(write: () => Promise<T>): Promise<T> {
    stats.writes++;
    const result = write();
    return new Promise<T>((resolve, reject) => {
      // Settle only after the group sync that follows the write.
      const settled = result.then(
        (value) => () => resolve(value),
        (error: unknown) => () => reject(error),
      );
      void settled.then((release) => {
        held.push(release);
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    });
  }

  const store: DurableStore = {
    name: inner.name,
    limits: inner.limits,
    createRun: (run) => durable(() => inner.createRun(run)),
    getRun: (runId) => inner.getRun(runId),
    updateRun: (runId, version, patch) => durable(() => inner.updateRun(runId, version, patch)),
    append: (runId, expectedLastSeq, entries, patch) => durable(() => inner.append(runId, expectedLastSeq, entries, patch)),
    readEntries: (runId, options) => inner.readEntries(runId, options),
    listRuns: (query) => inner.listRuns(query),
    deleteRuns: (query) => durable(() => inner.deleteRuns(query)),
    stats: () => inner.stats(),
    async close() {
      if (held.length > 0) flush();
      if (walFd !== undefined) closeSync(walFd);
      await inner.close();
    },
  };
  return { store, stats };
}
