/**
 * Cleanups run when this process exits, however it exits short of a signal: a normal end, an
 * uncaught error, `process.exit()`. The private servers register one each, so a script or test file
 * that crashes before its `finally` leaves no postmaster or redis-server running behind it (a
 * SIGKILLed process runs nothing; that is the one way a server is left).
 *
 * Invariants:
 * - one `exit` listener for the process, however many servers it starts;
 * - every cleanup runs once, even when an earlier one throws; they must be synchronous.
 */
const cleanups = new Set<() => void>();
let listening = false;

function runAll(): void {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // The process is exiting: a cleanup that fails must not keep the next from running.
    }
  }
  cleanups.clear();
}

/** Run `cleanup` when the process exits; the returned function unregisters it (after a normal stop). */
export function onProcessExit(cleanup: () => void): () => void {
  if (!listening) {
    listening = true;
    process.once('exit', runAll);
  }
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
  };
}
