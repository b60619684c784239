/**
 * Taking a run to drive it: the lease by CAS on `version`, then — when the run was `running`, so a
 * previous owner may still be alive (frozen, partitioned, its clock behind) — a `lease-take` entry
 * appended by CAS on `lastSeq`. That entry is the fence (ADR 0008): the previous owner's cursor no
 * longer matches, so its next append (a step result, an intent, a run-end) fails and it stops; its
 * next renewal finds the new lease, or the `lease-take`, and stops it too.
 */
import { CairnError, LeaseHeldError } from '../../errors.ts';
import type { DurableStore, JournalEntry, RunRecord } from '../../storage/types.ts';
import type { Clock } from '../clock.ts';
import { leaseTakeEntry } from '../journal-format.ts';

/** A run taken: the header with our lease, its journal, and when the lease was sent. */
export interface TakenRun {
  record: RunRecord;
  entries: JournalEntry[];
  takenAt: number;
}

/** Take `record` (as just read) for `owner`. `LeaseHeldError` when another resumer was first. */
export async function takeRun(
  store: DurableStore,
  record: RunRecord,
  lease: { owner: string; leaseMs: number; clock: Clock },
): Promise<TakenRun> {
  const { runId } = record;
  const { owner, leaseMs, clock } = lease;
  const takenAt = clock.now();
  let taken: RunRecord;
  try {
    taken = await store.updateRun(runId, record.version, {
      updatedAt: takenAt,
      status: 'running',
      pauseReason: null,
      wakeAt: null,
      error: null,
      lease: { owner, expiresAt: takenAt + leaseMs },
    });
  } catch (error) {
    if (CairnError.is(error, 'storage-conflict'))
      throw new LeaseHeldError(`[@cairn/core] run "${runId}" was taken by another resumer first`, { cause: error, runId });
    throw error;
  }
  // A queued run (`start(…, { drive: false })`: running, never leased, nothing journaled) has no
  // previous owner to fence; its driver opens the journal with `run-start`.
  const queued = record.status === 'running' && record.lease === null && record.lastSeq === 0;
  if (record.status === 'running' && !queued) taken = await fence(store, taken, record.lease?.owner ?? null, owner, clock);
  const entries = await store.readEntries(runId);
  return { record: taken, entries, takenAt };
}

/** Journal the takeover; retried while the previous owner's last appends land before it. */
async function fence(
  store: DurableStore,
  taken: RunRecord,
  previousOwner: string | null,
  owner: string,
  clock: Clock,
): Promise<RunRecord> {
  const { runId } = taken;
  let current = taken;
  for (let tries = 0; tries < 50; tries++) {
    const now = clock.now();
    const expiresAt = current.lease?.expiresAt ?? now;
    try {
      return await store.append(runId, current.lastSeq, [leaseTakeEntry({ owner, previousOwner, expiresAt }, now)], {
        updatedAt: now,
      });
    } catch (error) {
      if (!CairnError.is(error, 'storage-conflict')) throw error;
      const next = await store.getRun(runId);
      if (!next || next.version !== taken.version || next.status !== 'running')
        throw new LeaseHeldError(`[@cairn/core] run "${runId}" was taken by another resumer first`, { cause: error, runId });
      current = next;
    }
  }
  throw new LeaseHeldError(`[@cairn/core] run "${runId}": the previous owner kept appending; could not take it over`, { runId });
}
