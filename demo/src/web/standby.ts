/**
 * A standby tab: for every running run another tab drives, wait for that run's Web Lock. The
 * browser frees it the moment the driving tab closes, crashes or reloads, so this tab takes the run
 * over at once — no lease to wait out. Only a wait: the takeover itself re-reads the run first.
 */
import type { WebRunLocks } from '@cairn/storage-indexeddb';

/** The standby waits of this tab. */
export interface Standby {
  /** Wait for `runId`'s lock (once; a second call while waiting does nothing). */
  watch(runId: string): void;
  /** Stop waiting for runs not in `keep`. */
  retain(keep: ReadonlySet<string>): void;
  readonly watching: ReadonlySet<string>;
}

/** Standby waits over `locks`; `takeOver(runId)` runs when a lock comes free. */
export function createStandby(locks: WebRunLocks, takeOver: (runId: string) => Promise<void>): Standby {
  const waits = new Map<string, AbortController>();
  const watching = new Set<string>();
  return {
    watching,
    watch(runId) {
      if (waits.has(runId)) return;
      const controller = new AbortController();
      waits.set(runId, controller);
      watching.add(runId);
      locks
        .waitForRunLock(runId, { signal: controller.signal })
        .then(async (lock) => {
          // Hand the lock back at once: the runtime takes it again when it resumes the run.
          lock.release();
          waits.delete(runId);
          watching.delete(runId);
          await takeOver(runId);
        })
        .catch(() => {
          // Aborted: the run ended or was deleted while this tab waited.
          if (waits.get(runId) === controller) waits.delete(runId);
          watching.delete(runId);
        });
    },
    retain(keep) {
      for (const [runId, controller] of waits) {
        if (keep.has(runId)) continue;
        controller.abort();
        waits.delete(runId);
        watching.delete(runId);
      }
    },
  };
}
