/**
 * Wake timers: a paused run of this runtime is resumed here when its wake time comes (a due sleep, a
 * signal or approval timeout). One timer per run, through the runtime's clock.
 */
import type { Clock, TimerHandle } from '../clock.ts';

/** The wake timers of a runtime. */
export interface WakeTimers {
  schedule(runId: string, wakeAt: number): void;
  cancel(runId: string): void;
  cancelAll(): void;
}

/** Create the wake timers; `wake` resumes a run (errors are the caller's to swallow). */
export function createWakeTimers(clock: Clock, enabled: () => boolean, wake: (runId: string) => void): WakeTimers {
  const timers = new Map<string, TimerHandle>();
  return {
    schedule(runId, wakeAt) {
      if (!enabled()) return;
      timers.get(runId)?.cancel();
      timers.set(
        runId,
        clock.setTimer(wakeAt - clock.now(), () => {
          timers.delete(runId);
          wake(runId);
        }),
      );
    },
    cancel(runId) {
      timers.get(runId)?.cancel();
      timers.delete(runId);
    },
    cancelAll() {
      for (const timer of timers.values()) timer.cancel();
      timers.clear();
    },
  };
}
