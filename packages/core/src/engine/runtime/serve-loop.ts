/**
 * `runtime.serve()`: the worker loop that makes runs recover by themselves. Every `pollMs` (and as
 * soon as one of its drives ends) it looks for runs that need a driver — `running` with no lease (a
 * queued run: `start(…, { drive: false })`, or one whose owner released it on `close`/`stop`) or an
 * expired one (its owner died), and `paused` runs whose wake time has come (a due sleep, an expired
 * approval or signal timeout) — and takes the oldest of them, up to `concurrency` drives at once.
 *
 * Invariants:
 * - taking a run goes through `resume` (CAS on `version`, then the journaled `lease-take` fence), so
 *   of several serving processes on one store exactly one drives a run at a time; a lost race is not
 *   an error;
 * - `stop()` takes no new run, lets the runs it drives finish or pause for up to `drainMs`, stops the
 *   rest at their next await and releases their leases (the runtime's `releaseLease`), so another
 *   process takes them over at its next poll instead of waiting out `leaseMs`;
 * - every poll is bounded: at most `MAX_SCAN` runs are looked at, oldest first.
 */
import { CairnError, InvalidArgumentError } from '../../errors.ts';
import type { DurableStore, RunRecord } from '../../storage/types.ts';
import type { Clock, TimerHandle } from '../clock.ts';

/** Options of `runtime.serve`. */
export interface ServeOptions {
  /** Most runs this runtime drives at once (default 10). */
  concurrency?: number;
  /** How often to look for work, in ms (default 1000). */
  pollMs?: number;
  /** Called with a run that could not be taken for another reason than a lost race. */
  onError?: (error: unknown, runId: string) => void;
  /** Called when this loop takes a run, and when that run's drive here ends (completed, paused, stopped…). */
  onRun?: (event: { type: 'taken' | 'released'; runId: string }) => void;
}

/** A running worker loop. */
export interface Server {
  /** Look for work now (also done every `pollMs`). Resolves with the run ids taken. */
  poll(): Promise<string[]>;
  /** Runs this loop took and still drives. */
  readonly active: ReadonlySet<string>;
  /**
   * Take no new run; wait up to `drainMs` (default 10 s) for the runs it drives to end or pause, then
   * stop the rest and release their leases. Idempotent.
   */
  stop(options?: { drainMs?: number }): Promise<void>;
}

/** Most runs one poll looks at. */
const MAX_SCAN = 5_000;

/** What the loop needs from its runtime. */
export interface ServeScope {
  store: DurableStore;
  clock: Clock;
  owner: string;
  withLocks: boolean;
  drivenCount(): number;
  isDriven(runId: string): boolean;
  hasWorkflow(name: string): boolean;
  resume(runId: string): Promise<unknown>;
  /** Resolves when the run's drive in this runtime ended (or at once if none). */
  driveEnded(runId: string): Promise<void>;
  /** Stop the run's drive (if any) and release its lease. */
  stopAndRelease(runId: string, reason: string): Promise<void>;
  /** Housekeeping on each poll (retention). */
  sweep?(): Promise<unknown>;
}

function checkOptions(options: ServeOptions): { concurrency: number; pollMs: number } {
  const concurrency = options.concurrency ?? 10;
  const pollMs = options.pollMs ?? 1000;
  if (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1 || concurrency > 10_000)
    throw new InvalidArgumentError('[@cairn/core] serve: concurrency must be an integer from 1 to 10000');
  if (typeof pollMs !== 'number' || !Number.isFinite(pollMs) || pollMs < 5 || pollMs > 3_600_000)
    throw new InvalidArgumentError('[@cairn/core] serve: pollMs must be a number of ms from 5 to 3600000');
  return { concurrency, pollMs };
}

/** Whether `run` needs a driver now. */
export function needsDriver(run: RunRecord, now: number, owner: string, withLocks: boolean): boolean {
  if (run.status === 'running') return !run.lease || run.lease.expiresAt <= now || run.lease.owner === owner || withLocks;
  return run.status === 'paused' && run.wakeAt !== null && run.wakeAt <= now;
}

/** Start the loop. */
export function startServing(scope: ServeScope, options: ServeOptions = {}): Server {
  const { concurrency, pollMs } = checkOptions(options);
  const active = new Set<string>();
  let stopped = false;
  let timer: TimerHandle | undefined;
  let polling: Promise<string[]> | undefined;
  let again = false;

  function notify(type: 'taken' | 'released', runId: string): void {
    try {
      options.onRun?.({ type, runId });
    } catch {
      // A listener must not break the loop.
    }
  }

  async function candidates(): Promise<RunRecord[]> {
    const now = scope.clock.now();
    const due: RunRecord[] = [];
    let cursor: string | undefined;
    let scanned = 0;
    do {
      const page = await scope.store.listRuns({ status: ['running', 'paused'], limit: 500, ...(cursor ? { cursor } : {}) });
      cursor = page.cursor;
      scanned += page.runs.length;
      for (const run of page.runs)
        if (!scope.isDriven(run.runId) && scope.hasWorkflow(run.workflow) && needsDriver(run, now, scope.owner, scope.withLocks))
          due.push(run);
    } while (cursor && scanned < MAX_SCAN);
    // Oldest first: a queue is served in order, and a steady stream of new runs starves nobody.
    return due.sort((a, b) => a.createdAt - b.createdAt || (a.runId < b.runId ? -1 : 1));
  }

  async function pollOnce(): Promise<string[]> {
    const taken: string[] = [];
    await scope.sweep?.().catch((error: unknown) => options.onError?.(error, '(retention)'));
    if (stopped || scope.drivenCount() >= concurrency) return taken;
    for (const run of await candidates()) {
      if (stopped || scope.drivenCount() >= concurrency) break;
      try {
        await scope.resume(run.runId);
      } catch (error) {
        if (!CairnError.is(error, 'lease-held')) options.onError?.(error, run.runId);
        continue;
      }
      if (!scope.isDriven(run.runId)) continue;
      taken.push(run.runId);
      active.add(run.runId);
      notify('taken', run.runId);
      void scope.driveEnded(run.runId).then(() => {
        active.delete(run.runId);
        notify('released', run.runId);
        if (!stopped) void poll();
      });
    }
    return taken;
  }

  function poll(): Promise<string[]> {
    if (stopped) return Promise.resolve([]);
    if (polling) {
      again = true;
      return polling;
    }
    polling = pollOnce().finally(() => {
      polling = undefined;
      if (again && !stopped) {
        again = false;
        void poll();
      }
    });
    return polling;
  }

  function schedule(): void {
    if (stopped) return;
    timer = scope.clock.setTimer(pollMs, () => {
      void poll()
        .catch((error: unknown) => options.onError?.(error, '(poll)'))
        .finally(schedule);
    });
  }

  void poll().catch((error: unknown) => options.onError?.(error, '(poll)'));
  schedule();

  let stopping: Promise<void> | undefined;
  return {
    poll,
    active,
    stop(stopOptions = {}) {
      if (stopping) return stopping;
      const drainMs = stopOptions.drainMs ?? 10_000;
      if (typeof drainMs !== 'number' || !Number.isFinite(drainMs) || drainMs < 0)
        throw new InvalidArgumentError('[@cairn/core] serve stop: drainMs must be a finite number of ms ≥ 0');
      stopped = true;
      timer?.cancel();
      stopping = (async () => {
        await polling?.catch(() => undefined);
        const runs = [...active];
        if (drainMs > 0 && runs.length > 0) {
          let drainTimer: TimerHandle | undefined;
          await Promise.race([
            Promise.all(runs.map((runId) => scope.driveEnded(runId))),
            new Promise<void>((resolve) => {
              drainTimer = scope.clock.setTimer(drainMs, resolve);
            }),
          ]);
          drainTimer?.cancel();
        }
        await Promise.all([...active].map((runId) => scope.stopAndRelease(runId, 'serve stopped')));
        active.clear();
      })();
      return stopping;
    },
  };
}
