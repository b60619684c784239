/**
 * Tab coordination with the Web Locks API: one lock per run, held by the tab that drives it. The
 * browser releases every lock of a tab that closes, navigates away or crashes, which is what lets
 * another tab take over a run without waiting for a lease to expire. A lock only avoids wasted work;
 * the journal stays correct without it (every append is a compare-and-set on `lastSeq`).
 */
import { AbortedError, assertRunId, type HeldRunLock, type RunLocks, StorageUnavailableError } from '@cairn/core';
import { ADAPTER } from './storage-errors.ts';

/** Options of `createWebLocks`. */
export interface CreateWebLocksOptions {
  /** Prefix of every lock name (default `cairn:run:`); use one per app sharing an origin. */
  prefix?: string;
}

/** Options of `waitForRunLock`. */
export interface WaitForRunLockOptions {
  /** Stop waiting; the promise rejects with `AbortedError`. Has no effect once the lock is held. */
  signal?: AbortSignal;
}

/** Web Locks for runs: `tryAcquire` for the runtime, `waitForRunLock` for a standby tab. */
export interface WebRunLocks extends RunLocks {
  /**
   * Wait until the lock of `runId` is free and take it: a standby tab calls this to take over a
   * run as soon as the tab driving it closes or crashes.
   */
  waitForRunLock(runId: string, options?: WaitForRunLockOptions): Promise<HeldRunLock>;
}

function lockManager(): LockManager {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  if (!locks) {
    throw new StorageUnavailableError(
      `[${ADAPTER}] the Web Locks API is not available here (it needs a secure context: https or localhost)`,
    );
  }
  return locks;
}

// Lock names released in this context whose release the browser has not confirmed yet. `release()`
// is synchronous but the lock manager frees the lock a moment later; a `tryAcquire` right after
// a `release` in the same tab waits for that instead of wrongly finding the lock taken.
const releasing = new Map<string, Promise<void>>();

/**
 * Take the lock `name` and keep it until `release()`. Resolves with `null` when `ifAvailable` and a
 * peer holds it.
 */
function hold(locks: LockManager, name: string, options: LockOptions): Promise<HeldRunLock | null> {
  return new Promise((resolve, reject) => {
    const lost = new AbortController();
    let granted = false;
    let released = false;
    const request = locks.request(name, options, (lock) => {
      if (!lock) {
        resolve(null);
        return undefined;
      }
      granted = true;
      // The lock is held as long as this promise is pending.
      return new Promise<void>((release) => {
        resolve({
          release: () => {
            if (released) return;
            released = true;
            const done = request.then(
              () => undefined,
              () => undefined,
            );
            releasing.set(name, done);
            void done.then(() => {
              if (releasing.get(name) === done) releasing.delete(name);
            });
            release();
          },
          signal: lost.signal,
        });
      });
    });
    request.catch((error: unknown) => {
      // After the grant, a rejection means the lock was taken from us (another context asked
      // with `steal: true`): tell the holder through its signal.
      if (granted) lost.abort(error);
      else reject(error);
    });
  });
}

/**
 * Per-run locks shared by every tab and worker of the origin, on `navigator.locks`.
 *
 * @example
 * const locks = createWebLocks();
 * const held = await locks.tryAcquire(runId);
 * if (held) try { await runtime.resume(runId); } finally { held.release(); }
 */
export function createWebLocks(options: CreateWebLocksOptions = {}): WebRunLocks {
  const prefix = options.prefix ?? 'cairn:run:';
  const locks = lockManager();
  return {
    async tryAcquire(runId) {
      assertRunId(runId, ADAPTER);
      await releasing.get(prefix + runId);
      return hold(locks, prefix + runId, { mode: 'exclusive', ifAvailable: true });
    },
    async waitForRunLock(runId, waitOptions = {}) {
      assertRunId(runId, ADAPTER);
      const { signal } = waitOptions;
      try {
        const held = await hold(locks, prefix + runId, signal ? { mode: 'exclusive', signal } : { mode: 'exclusive' });
        // Without ifAvailable the request resolves only once granted.
        return held as HeldRunLock;
      } catch (error) {
        if (signal?.aborted) {
          throw new AbortedError(`[${ADAPTER}] run "${runId}": stopped waiting for the run's lock`, { cause: signal.reason });
        }
        throw new StorageUnavailableError(`[${ADAPTER}] run "${runId}": the run's lock could not be requested`, { cause: error });
      }
    },
  };
}
