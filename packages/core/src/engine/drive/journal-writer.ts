/**
 * The driver's writer: the one way a drive's entries reach the store. It wraps the commit queue and
 * does the driver's bookkeeping on what comes back — the header as last seen, entries other parties
 * appended (absorbed into replay, waits polled), cancel requests — and turns a lost run into a stop.
 *
 * Invariants:
 * - a request the store refuses for its own content (payload too large…) fails alone, with the
 *   store's error: the drive goes on and the caller records the failure where it belongs;
 * - a lost CAS (another owner fenced us) or a storage failure stops the drive: nothing more is written.
 */
import { CairnError } from '../../errors.ts';
import type { JournalEntry, NewEntry, RunPatch, RunRecord } from '../../storage/types.ts';
import { type CommitQueue, type CommitResult, isRequestRefusal } from '../commit-queue.ts';
import type { JournalWriter } from '../context/drive-scope.ts';
import { addEntries, type ReplayState } from '../context/replay-state.ts';
import type { RunEvent } from '../events.ts';
import type { DriveControlHandle } from './drive-control.ts';

/** The writer plus what the driver reads back from it. */
export interface DriveJournal extends JournalWriter {
  /** The header as last returned by the store. */
  readonly record: RunRecord;
  /** Append external entries (a signal, a decision) and absorb them like ones found after a lost CAS. */
  deliver(entries: NewEntry[], patch: RunPatch): Promise<void>;
  /** Absorb entries appended by others (found by a re-read). */
  absorb(entries: JournalEntry[]): void;
}

/** Create the writer of one drive. */
export function createDriveJournal(options: {
  runId: string;
  queue: CommitQueue;
  control: DriveControlHandle;
  replay: ReplayState;
  record: RunRecord;
  emit(event: RunEvent): void;
}): DriveJournal {
  const { runId, queue, control, replay } = options;
  let record = options.record;

  function absorb(entries: JournalEntry[]): void {
    if (entries.length === 0) return;
    addEntries(replay, entries);
    for (const entry of entries)
      if (entry.kind === 'signal-receive') options.emit({ type: 'signal-receive', runId, at: entry.createdAt, name: entry.key });
    control.pollWaits();
  }

  function settle(result: CommitResult): CommitResult {
    record = result.record;
    absorb(queue.drainExternal());
    if (result.record.cancelRequested) control.cancel('cancel requested');
    return result;
  }

  function refuse(error: unknown): never {
    absorb(queue.drainExternal());
    if (!isRequestRefusal(error))
      control.stop(CairnError.is(error, 'storage-conflict') ? 'another resumer took over the run' : 'storage failed', error);
    throw error;
  }

  return {
    get record() {
      return record;
    },
    commit(entries, patch) {
      return queue.commit(entries, patch).then(settle, refuse);
    },
    async deliver(entries, patch) {
      const { firstSeq } = await queue.commit(entries, patch).then(settle, refuse);
      absorb(entries.map((entry, i) => ({ ...entry, seq: firstSeq + i })));
    },
    absorb,
  };
}
