/**
 * Cancelling a run this runtime does not drive: a live run elsewhere gets a cancel request on its
 * header (its driver ends it at the next step boundary); a paused or abandoned run is ended at once
 * with its `run-end` (written by `drive/run-end`, the one writer of run ends).
 */
import type { SerializedError } from '../../codec.ts';
import { CairnError, LeaseHeldError } from '../../errors.ts';
import type { DurableStore, RunUsage } from '../../storage/types.ts';
import type { Clock } from '../clock.ts';
import { cancelUndriven } from '../drive/run-end.ts';
import { isLive, requireRun, TERMINAL } from './management.ts';

/** Cancel `runId`; resolves with what was recorded when this call ended the run, else `undefined`. */
export async function cancelNotDrivenHere(
  store: DurableStore,
  clock: Clock,
  runId: string,
  reason: string,
): Promise<{ at: number; usage: RunUsage; error: SerializedError } | undefined> {
  for (let tries = 0; tries < 20; tries++) {
    const record = await requireRun(store, runId);
    if (TERMINAL.includes(record.status)) return undefined;
    const now = clock.now();
    if (isLive(record, clock)) {
      try {
        await store.updateRun(runId, record.version, { updatedAt: now, cancelRequested: true });
        return undefined;
      } catch (error) {
        if (!CairnError.is(error, 'storage-conflict')) throw error;
        continue;
      }
    }
    const error = await cancelUndriven(store, record, reason, now);
    if (error !== undefined) return { at: now, usage: record.usage, error };
  }
  throw new LeaseHeldError(`[@cairn/core] run "${runId}": could not cancel (the run kept changing)`, { runId });
}
