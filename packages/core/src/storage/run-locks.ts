/**
 * An optional capability a runtime can be given: a lock per run held by exactly one driver among
 * cooperating peers (tabs of one origin via Web Locks, isolates of one Durable Object). It avoids
 * wasted work; it is never what keeps the journal correct (every append is a CAS on `lastSeq`).
 */

/** A held lock; `release` is idempotent. */
export interface HeldRunLock {
  release(): void;
  /** Aborted if the lock is lost (stolen or the platform revoked it). */
  readonly signal?: AbortSignal;
}

/** Per-run mutual exclusion among peers. */
export interface RunLocks {
  /** Take the lock of `runId` if no peer holds it; `null` when a peer does. */
  tryAcquire(runId: string): Promise<HeldRunLock | null>;
}
