/**
 * The object's single alarm as the run host keeps it: the armed time is cached in memory (loaded
 * once, in the constructor), so the watchdog check before every step costs no I/O, and a write
 * happens only when the alarm must move earlier.
 *
 * Invariants:
 * - the cache is never later than the real alarm: a write updates it before it is issued, and a
 *   failed write clears it so the next check writes again;
 * - the host is the only writer of the object's alarm (one alarm per object).
 */

/** The alarm methods of `ctx.storage` (a real `DurableObjectStorage` fits as is). */
export interface AlarmStorage {
  getAlarm(): Promise<number | null>;
  setAlarm(scheduledTime: number): Promise<void>;
  deleteAlarm(): Promise<void>;
}

/** The alarm, as the host schedules it. */
export interface AlarmSchedule {
  /** Read the armed time (once, before anything else runs). */
  load(): Promise<void>;
  /** Make sure the alarm fires no later than `at`; writes only if it is unset or later. */
  ensureBy(at: number): void;
  /** Set the alarm to `at`, or delete it (`null`). */
  set(at: number | null): void;
  /** The alarm fired: nothing is armed until something sets it, and the next `set` writes even `null`. */
  fired(): void;
  /** The armed time as cached (`null`: none). */
  readonly armedAt: number | null;
}

/** A schedule over `storage`; `onError` hears of failed alarm writes (which are retried on the next check). */
export function createAlarmSchedule(storage: AlarmStorage, onError: (error: unknown) => void): AlarmSchedule {
  let armedAt: number | null = null;
  // False after `fired()`: a platform alarm is consumed by then, one the host's own caller ran is not.
  let known = true;

  function write(at: number | null): void {
    armedAt = at;
    known = true;
    // Not awaited: the write is ordered before any later storage call, and the output gate holds
    // everything the object sends (the step's effects included) until it is durable.
    const written = at === null ? storage.deleteAlarm() : storage.setAlarm(at);
    written.catch((error: unknown) => {
      if (armedAt === at) armedAt = null;
      onError(error);
    });
  }

  return {
    async load() {
      armedAt = await storage.getAlarm();
    },
    ensureBy(at) {
      if (armedAt !== null && armedAt <= at) return;
      write(at);
    },
    set(at) {
      if (known && at === armedAt) return;
      write(at);
    },
    fired() {
      armedAt = null;
      known = false;
    },
    get armedAt() {
      return armedAt;
    },
  };
}
