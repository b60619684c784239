/**
 * The lease of one drive: renewed every third of `leaseMs` by CAS on `version`, and checked before
 * any step starts.
 *
 * Invariants:
 * - the lease counts from the moment the CAS that took or renewed it was sent (`heldUntil`), by this
 *   runtime's clock; a step starts only while `heldUntil` is more than a third of the lease away,
 *   else the keeper renews first (a drive frozen past its lease never starts a step unrenewed);
 * - a renewal that finds another owner (a new lease owner, or entries this drive did not write) stops
 *   the drive; one that finds `cancelRequested` cancels it;
 * - a renewal that fails for another reason (backend down) is retried while the lease is still
 *   certainly held, and stops the drive once it may have run out: never drive on a lease we may
 *   have lost. Appends stay fenced by CAS on `lastSeq` and the `lease-take` of any new owner.
 */
import { CairnError } from '../../errors.ts';
import type { DurableStore } from '../../storage/types.ts';
import { type Clock, delay, type TimerHandle } from '../clock.ts';
import type { RunCursor } from '../commit-queue.ts';
import type { DriveControlHandle } from './drive-control.ts';

/** The lease side of a drive. */
export interface LeaseKeeper {
  /** Start the renewal timer. */
  start(): void;
  /** Stop renewing (the drive ended). */
  stop(): void;
  /** Resolves once the lease is certainly held (renewing first if it is overdue), else stops the drive. */
  ensure(): Promise<void>;
}

/** Create the lease keeper of a drive whose lease was taken at `takenAt`. */
export function createLeaseKeeper(options: {
  runId: string;
  store: DurableStore;
  clock: Clock;
  owner: string;
  leaseMs: number;
  takenAt: number;
  cursor: RunCursor;
  control: DriveControlHandle;
}): LeaseKeeper {
  const { runId, store, clock, owner, leaseMs, cursor, control } = options;
  const renewEvery = Math.max(10, Math.floor(leaseMs / 3));
  let heldUntil = options.takenAt + leaseMs;
  let timer: TimerHandle | undefined;
  let renewing: Promise<void> | undefined;
  let stopped = false;

  const live = (): boolean => !control.current || control.current.type === 'suspend';

  /** One renewal attempt series. */
  async function renewOnce(): Promise<void> {
    for (let tries = 0; live(); tries++) {
      const sentAt = clock.now();
      try {
        const next = await store.updateRun(runId, cursor.version, {
          updatedAt: sentAt,
          lease: { owner, expiresAt: sentAt + leaseMs },
        });
        cursor.version = next.version;
        heldUntil = sentAt + leaseMs;
        if (next.cancelRequested) control.cancel('cancel requested');
        return;
      } catch (error) {
        if (CairnError.is(error, 'storage-conflict')) {
          if (!(await stillOurs(error))) return;
          continue;
        }
        // Not a conflict (backend down, busy): retry while the lease is certainly still ours.
        if (clock.now() >= heldUntil || tries >= 20) {
          control.stop('lease renewal failed', error);
          return;
        }
        await delay(clock, Math.min(renewEvery, 50 * 2 ** Math.min(tries, 6)));
      }
    }
  }

  /** After a lost renewal CAS: is the run still ours? Adopts the new version if so. */
  async function stillOurs(conflict: unknown): Promise<boolean> {
    const current = await store.getRun(runId).catch(() => null);
    if (!current || current.lease?.owner !== owner || current.status !== 'running') {
      control.stop('lease lost to another owner', conflict);
      return false;
    }
    if (current.lastSeq > cursor.lastSeq) {
      // Someone appended: signals, decisions and our own appends in flight are fine; a lease-take
      // means another runtime (perhaps with the same owner name) took the run over.
      const newer = await store.readEntries(runId, { afterSeq: cursor.lastSeq }).catch(() => null);
      if (!newer || newer.some((entry) => entry.kind === 'lease-take')) {
        control.stop('lease lost to another owner', conflict);
        return false;
      }
    }
    cursor.version = current.version;
    if (current.cancelRequested) control.cancel('cancel requested');
    return true;
  }

  function renew(): Promise<void> {
    renewing ??= renewOnce().finally(() => {
      renewing = undefined;
    });
    return renewing;
  }

  function arm(): void {
    if (stopped) return;
    timer = clock.setTimer(renewEvery, () => {
      void renew().finally(() => {
        if (live()) arm();
      });
    });
  }

  return {
    start: arm,
    stop() {
      stopped = true;
      timer?.cancel();
    },
    async ensure() {
      if (clock.now() < heldUntil - renewEvery) return;
      await renew();
      if (live() && clock.now() >= heldUntil) control.stop('lease could not be renewed in time', undefined);
      // The drive is stopping: the step must not start (the caller parks the workflow).
      if (!live()) throw control.signal.reason ?? new Error('drive stopped');
    },
  };
}
