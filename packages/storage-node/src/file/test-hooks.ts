/**
 * Pause points for tests that must stop a process at an exact instant — the frozen lock holder of
 * ADR 0037 is stopped (SIGSTOP) between its lock check and its journal write. Not exported from the
 * package; production code only ever reads an unset hook (one property read per append).
 */

/** Hooks a test child process may set. */
export const fileStoreTestHooks: {
  /** Called holding the run lock, after the lock check and right before the record is written. */
  beforeJournalWrite?: (runId: string) => void;
} = {};
