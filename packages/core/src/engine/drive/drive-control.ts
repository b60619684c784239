/**
 * The stop switch of one drive and its count of work in progress.
 *
 * Invariants:
 * - the control is set once; the first reason wins (a later cancel cannot undo a lost lease);
 * - every reason but a suspend aborts the drive's signal, so running steps see it at once;
 * - the run suspends (pauses) only when no work is in progress and at least one wait is blocked,
 *   checked a macrotask later so workflow code between awaits has issued its next calls.
 */
import { RunCancelledError } from '../../errors.ts';
import type { Clock } from '../clock.ts';
import { macrotask } from '../clock.ts';
import type { BlockedWait, Control, DriveControl } from '../context/drive-scope.ts';

/** The driver's side of the control. */
export interface DriveControlHandle extends DriveControl {
  /** Resolves with the first control set. */
  readonly settled: Promise<Control>;
  readonly blocked: ReadonlyMap<string, BlockedWait>;
  cancel(reason: string): void;
  /** Re-examine every blocked wait (signals arrived, time passed). */
  pollWaits(): void;
  /** Resolves when no work is in progress, or after `limitMs` on `clock`. */
  workDone(limitMs: number): Promise<void>;
  /** Mark the drive ended (parks whatever workflow code is still running). */
  end(): void;
}

/** Create the control of one drive of `runId`. */
export function createDriveControl(runId: string, clock: Clock): DriveControlHandle {
  const abort = new AbortController();
  const blocked = new Map<string, BlockedWait>();
  let current: Control | undefined;
  let pending = 0;
  let quiescenceScheduled = false;
  let idleWaiters: Array<() => void> = [];
  let resolveSettled!: (control: Control) => void;
  const settled = new Promise<Control>((resolve) => {
    resolveSettled = resolve;
  });

  function set(control: Control): void {
    if (current) return;
    current = control;
    if (control.type !== 'suspend')
      abort.abort(new RunCancelledError(`[@cairn/core] run "${runId}": ${control.reason}`, { runId }));
    resolveSettled(control);
  }

  function checkQuiescence(): void {
    if (pending === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const waiter of waiters) waiter();
    }
    if (quiescenceScheduled || current || pending > 0 || blocked.size === 0) return;
    quiescenceScheduled = true;
    void macrotask().then(() => {
      quiescenceScheduled = false;
      if (!current && pending === 0 && blocked.size > 0) set({ type: 'suspend' });
    });
  }

  return {
    signal: abort.signal,
    get current() {
      return current;
    },
    settled,
    blocked,
    stop(reason, error) {
      set({ type: 'stop', reason, error });
    },
    cancel(reason) {
      set({ type: 'cancel', reason });
    },
    beginWork() {
      pending++;
    },
    endWork() {
      pending--;
      checkQuiescence();
    },
    block(wait) {
      blocked.set(wait.stepId, wait);
      checkQuiescence();
    },
    unblock(stepId) {
      blocked.delete(stepId);
    },
    pollWaits() {
      for (const wait of [...blocked.values()]) wait.poll();
    },
    workDone(limitMs) {
      if (pending === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = clock.setTimer(limitMs, done);
        function done(): void {
          timer.cancel();
          idleWaiters = idleWaiters.filter((w) => w !== done);
          resolve();
        }
        idleWaiters.push(done);
      });
    },
    end() {
      if (!current) current = { type: 'stop', reason: 'drive ended', error: undefined };
      abort.abort(new RunCancelledError(`[@cairn/core] run "${runId}": drive ended`, { runId }));
    },
  };
}
