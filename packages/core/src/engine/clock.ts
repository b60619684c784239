/**
 * Time as the engine sees it. Injectable so tests (and hosts such as Durable Objects) control
 * timers and wall-clock time; the engine never calls `Date.now` or `setTimeout` directly.
 */

/** A cancellable timer handle. */
export interface TimerHandle {
  cancel(): void;
}

/** Wall clock and timers. */
export interface Clock {
  now(): number;
  /** Call `callback` after `ms` (clamped to ≥ 0). */
  setTimer(ms: number, callback: () => void): TimerHandle;
}

/** The platform clock (`Date.now`, `setTimeout`). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, callback) {
    // Long timers are chained: some runtimes overflow above 2^31-1 ms.
    // Typed from the platform's own setTimeout: workerd, DOM and Node each type clearTimeout differently.
    let handle: ReturnType<typeof setTimeout> | undefined;
    let cancelled = false;
    const due = Date.now() + Math.max(0, ms);
    const arm = (): void => {
      const left = due - Date.now();
      handle = setTimeout(
        () => {
          if (cancelled) return;
          if (due - Date.now() > 0) arm();
          else callback();
        },
        Math.min(Math.max(0, left), 2 ** 31 - 1),
      );
    };
    arm();
    return {
      cancel() {
        cancelled = true;
        if (handle !== undefined) clearTimeout(handle);
      },
    };
  },
};

/**
 * Resolve after the event loop has run once (a macrotask): lets timers and I/O of the process run
 * between back-to-back synchronous commits, and lets workflow code between awaits issue its next
 * calls before the engine decides that a run is idle. Not a timer: no time needs to pass, so it does
 * not go through a `Clock` (a manual clock would never let it fire).
 */
export function macrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Wait `ms` on `clock`; rejects with the signal's reason when aborted. */
export function delay(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      timer.cancel();
      reject(signal?.reason);
    };
    const timer = clock.setTimer(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A manual clock for tests: time moves only when `advance` is called, and due timers fire in order.
 */
export interface ManualClock extends Clock {
  /** Move time forward by `ms`, firing due timers (awaiting microtasks between them). */
  advance(ms: number): Promise<void>;
  /** Set the time (forward only). */
  set(now: number): Promise<void>;
  /** Number of pending timers. */
  pending(): number;
}

/** Create a manual clock starting at `start` (ms since epoch). */
export function createManualClock(start = 1_700_000_000_000): ManualClock {
  let now = start;
  let nextId = 0;
  const timers = new Map<number, { due: number; callback: () => void }>();
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };
  const clock: ManualClock = {
    now: () => now,
    setTimer(ms, callback) {
      const id = nextId++;
      timers.set(id, { due: now + Math.max(0, ms), callback });
      return { cancel: () => void timers.delete(id) };
    },
    async advance(ms) {
      await clock.set(now + ms);
    },
    async set(target) {
      for (;;) {
        let first: [number, { due: number; callback: () => void }] | undefined;
        for (const item of timers) if (item[1].due <= target && (!first || item[1].due < first[1].due)) first = item;
        if (!first) break;
        timers.delete(first[0]);
        now = Math.max(now, first[1].due);
        first[1].callback();
        await flush();
      }
      now = Math.max(now, target);
      await flush();
    },
    pending: () => timers.size,
  };
  return clock;
}
