/**
 * `resumeAll`: take every run that is due — `running` with an expired lease (or this owner's, or
 * any when peer locks say who is alive), `paused` with a wake time that has come — and arm wake
 * timers for paused runs that are not due yet.
 */
import { CairnError } from '../../errors.ts';
import type { DurableStore } from '../../storage/types.ts';
import type { Clock } from '../clock.ts';
import { needsDriver } from './serve-loop.ts';

/** Resume every due run; `lease-held` losses are not failures (another resumer was first). */
export async function resumeDue(options: {
  store: DurableStore;
  clock: Clock;
  owner: string;
  withLocks: boolean;
  isDriven(runId: string): boolean;
  hasWorkflow(name: string): boolean;
  resume(runId: string): Promise<unknown>;
  scheduleWake(runId: string, wakeAt: number): void;
  cleanup: (() => Promise<number>) | undefined;
}): Promise<{ resumed: string[]; failed: Array<{ runId: string; error: unknown }> }> {
  const { store, clock, owner } = options;
  const resumed: string[] = [];
  const failed: Array<{ runId: string; error: unknown }> = [];
  const now = clock.now();
  let cursor: string | undefined;
  do {
    const page = await store.listRuns({ status: ['running', 'paused'], limit: 500, ...(cursor ? { cursor } : {}) });
    cursor = page.cursor;
    for (const run of page.runs) {
      if (options.isDriven(run.runId) || !options.hasWorkflow(run.workflow)) continue;
      const due = needsDriver(run, now, owner, options.withLocks);
      if (!due) {
        if (run.status === 'paused' && run.wakeAt !== null) options.scheduleWake(run.runId, run.wakeAt);
        continue;
      }
      try {
        await options.resume(run.runId);
        resumed.push(run.runId);
      } catch (error) {
        if (!CairnError.is(error, 'lease-held')) failed.push({ runId: run.runId, error });
      }
    }
  } while (cursor);
  await options.cleanup?.();
  return { resumed, failed };
}
