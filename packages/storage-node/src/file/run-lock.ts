/**
 * The on-disk lock around every read-modify-write of a run, held as a short lease (ADR 0032).
 *
 * Taking a run's lock is `link(ownerFile, runs/<id>/lock)` (see lock-file.ts). A handle that keeps
 * writing one run keeps its lock between calls — a driver appends step after step — and releases it
 * after `LEASE_IDLE_MS` without use, or soon after another handle or process asks for it by linking
 * `runs/<id>/lock.want`. While a lease is held continuously nobody else can have written the run,
 * so the caller may skip re-reading the journal: an append then costs one `write` and one
 * `fdatasync`, with no lock or freshness syscalls at all.
 *
 * Invariants:
 * - bodies run synchronously: nothing of this process interleaves inside a read-modify-write;
 * - a lease is taken again (new link, new ctime) before it is `staleMs / 4` old, so a live holder is
 *   never judged stale by age; only certainly dead owners, or holders frozen longer than `staleMs`,
 *   lose their locks;
 * - a holder whose lease is older than `staleMs / 2` (frozen process, suspended VM) checks it still
 *   holds it before writing, and refuses to write if not; it checks again after writing, before
 *   acknowledging, since it may have been frozen in between (ADR 0037);
 * - a lock broken by age from an owner that may be alive leaves a fence mark first; the next holder
 *   moves the journal to a new inode before writing, so the old holder's descriptor writes nowhere
 *   anyone reads (ADR 0037);
 * - waiters back off at most `MAX_POLL_MS`; a holder that sees `lock.want` releases and waits
 *   `HANDOFF_MS` (longer than that) before taking the lock again.
 */
import { closeSync, constants, existsSync, openSync, unlinkSync } from 'node:fs';
import { sep } from 'node:path';
import { StorageConflictError, StorageUnavailableError } from '@cairn/core';
import { ADAPTER } from '../shared/adapter.ts';
import { breakLock, createLockOwner, judgeLock } from './lock-file.ts';
import { runFolderIno } from './run-folder.ts';

/** Given to a lock's body. */
export interface LockGuard {
  /** True when this handle held the lock continuously since its previous body on this run. */
  readonly continuous: boolean;
  /** Call right before a durable write: throws (retryably) if the lock was broken meanwhile. */
  assertHeld(): void;
  /**
   * Call right after a durable write, before acknowledging it: throws `StorageConflictError` if the
   * lock was broken while the write was in flight (this process was frozen), ADR 0037.
   */
  confirmWritten(): void;
  /**
   * True when a lock of this run was broken from a holder that may still be alive: before its
   * first write the caller must move the journal to a new inode (the zombie's descriptor keeps
   * the old one), then call `clearFence()` (ADR 0037).
   */
  readonly fenceDue: boolean;
  /** The journal was fenced: remove the marker. */
  clearFence(): void;
}

/** Returned by `withRunLock` when the run's folder does not exist. */
export const RUN_MISSING: unique symbol = Symbol('run-missing');

/** The locks of one store handle. */
export interface RunLocks {
  /** Run `body` (synchronously) holding the lock of the run whose folder is `runDir`. */
  withRunLock<T>(runId: string, runDir: string, body: (guard: LockGuard) => T): Promise<T | typeof RUN_MISSING>;
  /** Forget a lease whose lock went away with its folder (the run was deleted under it). */
  forget(runId: string): void;
  /** Release every lease and remove this handle's owner file. */
  close(): void;
}

/** Options of `createRunLocks`. */
export interface RunLocksOptions {
  ownersDir: string;
  /** Age after which any lock is considered abandoned. */
  staleMs: number;
  /** How long to wait for a live lock before failing retryably. */
  timeoutMs: number;
}

const LEASE_IDLE_MS = 5;
const WANT_CHECK_MS = 10;
const MAX_POLL_MS = 10;
const HANDOFF_MS = 25;

interface Lease {
  lockPath: string;
  /** The run's fence marker exists (checked when the lock was taken). */
  fenceDue: boolean;
  takenAt: number;
  lastUsed: number;
  wantCheckedAt: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** The fence marker of the run whose lock is `lockPath`. */
function fencePathOf(lockPath: string): string {
  return `${lockPath.slice(0, -'lock'.length)}fence`;
}

function markFence(path: string): void {
  closeSync(openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW, 0o666));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Create the owner file of a new handle and the lock operations that use it. */
export function createRunLocks(options: RunLocksOptions): RunLocks {
  const { staleMs, timeoutMs } = options;
  const owner = createLockOwner(options.ownersDir);
  const leases = new Map<string, Lease>();
  let closed = false;

  // After every wait: a handle closed meanwhile takes no new lock.
  function ensureOpen(runId: string): void {
    if (closed)
      throw new StorageUnavailableError(`[${ADAPTER}] run "${runId}": the file store was closed while waiting for the run lock`);
  }

  // Release a lease now. Never throws: a lock that cannot be removed is left to go stale.
  function release(runId: string): void {
    const lease = leases.get(runId);
    if (!lease) return;
    leases.delete(runId);
    clearTimeout(lease.timer);
    const held = Date.now() - lease.takenAt;
    // Past half of staleMs the lock may be someone else's now: never unlink theirs.
    const surelyOurs = held >= 0 && held < staleMs / 2;
    if (!surelyOurs && !owner.holds(lease.lockPath)) return;
    try {
      unlinkSync(lease.lockPath);
    } catch {
      // ENOENT: the folder was moved away (deleted) under the lock.
    }
  }

  // One timer per lease, not one per call: when it fires early (the lease was used since), it
  // re-arms for the rest of the idle time.
  function armIdleRelease(runId: string, lease: Lease, delay: number): void {
    lease.timer = setTimeout(() => {
      lease.timer = undefined;
      if (leases.get(runId) !== lease) return;
      const idle = Date.now() - lease.lastUsed;
      if (idle >= LEASE_IDLE_MS || idle < 0) release(runId);
      else armIdleRelease(runId, lease, LEASE_IDLE_MS - idle);
    }, delay);
    lease.timer.unref?.();
  }

  function guardFor(runId: string, lease: Lease, continuous: boolean): LockGuard {
    return {
      continuous,
      get fenceDue() {
        return lease.fenceDue;
      },
      clearFence() {
        try {
          unlinkSync(fencePathOf(lease.lockPath));
        } catch {
          // Already gone.
        }
        lease.fenceDue = false;
      },
      confirmWritten() {
        const held = Date.now() - lease.takenAt;
        // As in assertHeld: a lock this young cannot have been judged stale by anyone.
        if (held >= 0 && held < staleMs / 2) return;
        if (owner.holds(lease.lockPath)) return;
        leases.delete(runId);
        clearTimeout(lease.timer);
        throw new StorageConflictError(
          `[${ADAPTER}] run "${runId}": the run lock was broken while this process was paused (${held} ms after taking it); its write was fenced off and is not acknowledged`,
        );
      },
      assertHeld() {
        const held = Date.now() - lease.takenAt;
        // Nobody can have judged the lock stale this early; past that, look (clock jumps included).
        if (held >= 0 && held < staleMs / 2) return;
        if (!owner.holds(lease.lockPath)) {
          leases.delete(runId);
          clearTimeout(lease.timer);
          throw new StorageUnavailableError(
            `[${ADAPTER}] run "${runId}": the run lock was broken after ${held} ms; nothing was written`,
            {
              retryable: true,
            },
          );
        }
      },
    };
  }

  // Take the lock of `runId`, waiting for its holder; false when the run folder is gone.
  async function acquire(runId: string, lockPath: string): Promise<boolean> {
    const wantPath = `${lockPath}.want`;
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      ensureOpen(runId);
      // Another call of this handle took the lock while this one waited: share it (bodies are synchronous).
      if (leases.has(runId)) return true;
      const state = owner.link(lockPath);
      if (state === 'missing') return false;
      if (state === 'taken') {
        const now = Date.now();
        const fenceDue = existsSync(fencePathOf(lockPath));
        leases.set(runId, { lockPath, fenceDue, takenAt: now, lastUsed: now, wantCheckedAt: now, timer: undefined });
        try {
          unlinkSync(wantPath);
        } catch {
          // Nobody was waiting; other waiters ask again on their next poll.
        }
        return true;
      }
      const judged = judgeLock(lockPath, staleMs);
      if (judged === 'gone') continue;
      if (judged.stale) {
        // Mark first: whoever takes the lock next (this handle, or another if this one dies now)
        // fences the journal before writing (ADR 0037).
        if (judged.holderMayLive) markFence(fencePathOf(lockPath));
        breakLock(lockPath, judged.ino);
        continue;
      }
      if (Date.now() - started > timeoutMs) {
        const holder = judged.owner ? `pid ${judged.owner.pid} on ${JSON.stringify(judged.owner.host)}` : 'an unknown process';
        throw new StorageUnavailableError(
          `[${ADAPTER}] run "${runId}": the run lock is held by ${holder} (for ${Math.round(judged.ageMs)} ms); gave up after ${timeoutMs} ms`,
          { retryable: true },
        );
      }
      // Ask the holder to hand the lease over (EEXIST: someone already asked).
      if (owner.link(wantPath) === 'missing') return false;
      await sleep(Math.min(2 ** Math.min(attempt, 4), MAX_POLL_MS) * (0.5 + Math.random()));
    }
  }

  // A lease still usable as is: not about to look stale, and nobody asked for it.
  function usable(lease: Lease): boolean {
    const now = Date.now();
    const held = now - lease.takenAt;
    if (held < 0 || held > staleMs / 4) return false;
    if (now - lease.wantCheckedAt >= WANT_CHECK_MS) {
      lease.wantCheckedAt = now;
      if (existsSync(`${lease.lockPath}.want`)) return false;
    }
    return true;
  }

  return {
    async withRunLock(runId, runDir, body) {
      const lockPath = `${runDir}${sep}lock`;
      const lease = leases.get(runId);
      let continuous = lease !== undefined && usable(lease);
      if (lease && !continuous) {
        const askedFor = Date.now() - lease.takenAt <= staleMs / 4;
        release(runId);
        // Give the waiter that asked a window to take the lock before this handle asks again.
        if (askedFor) await sleep(HANDOFF_MS);
        continuous = false;
      }
      // Never link the lock through a link planted in place of the folder (ADR 0027): it would land
      // in whatever folder the link points to.
      if (!continuous && (runFolderIno(runDir, runId) === null || !(await acquire(runId, lockPath)))) return RUN_MISSING;
      const held = leases.get(runId) as Lease;
      try {
        return body(guardFor(runId, held, continuous));
      } finally {
        held.lastUsed = Date.now();
        if (leases.get(runId) === held && held.timer === undefined) armIdleRelease(runId, held, LEASE_IDLE_MS);
      }
    },

    forget(runId) {
      const lease = leases.get(runId);
      if (!lease) return;
      clearTimeout(lease.timer);
      leases.delete(runId);
    },

    close() {
      closed = true;
      for (const runId of [...leases.keys()]) release(runId);
      owner.remove();
    },
  };
}
