/**
 * The file store: `DurableStore` in a directory, one folder per run (ADR 0031, 0032, 0034).
 *
 * Invariants:
 * - a run's journal is the truth: `createRun`, `append` and `updateRun` each add one framed record
 *   with one `write` and one `fdatasync`; the header file is only a checkpoint of the fold;
 * - every read-modify-write holds the run's on-disk lock and re-checks the journal under it (unless
 *   this handle held the lock continuously since its own last write), so two handles or processes
 *   never both win a CAS;
 * - a run appears whole or not at all: it is built in tmp/ and renamed into runs/ (one winner when
 *   two processes create one id), and deleted by renaming it out under its lock;
 * - a refused call (bad argument, oversize payload, lost CAS) writes nothing;
 * - damage to one run's journal fails calls on that run only.
 */
import { closeSync, mkdirSync, openSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CairnError, type DurableStore, InvalidArgumentError, type RunRecord } from '@cairn/core';
import { copyRecord, defineStore, listFrom, matchesDelete, resolveMaxPayloadBytes, statsOf } from '@cairn/core/adapter';
import { ADAPTER, createNodeStoreKit, DEFAULT_MAX_PAYLOAD_BYTES, MAX_PAYLOAD_BYTES_CEILING } from '../shared/adapter.ts';
import { checkEntries, checkNewRun, checkPatch } from '../shared/values.ts';
import { describeFileFailure, errnoOf, fsyncDirectory, toFileStoreError } from './fs-util.ts';
import { otherSlot, writeHeader } from './header-file.ts';
import { createJournalCache } from './journal-cache.ts';
import { readJournalEntries } from './journal-read.ts';
import { encodeAppend, encodeCreate, encodeUpdate } from './journal-records.ts';
import { sweepOwners } from './lock-file.ts';
import { isLinkedRunFolder, runFolderIno } from './run-folder.ts';
import {
  fenceJournal,
  type RunJournal,
  summarizeJournal,
  trimJournal,
  writeJournalFrame,
  writeNewJournal,
} from './run-journal.ts';
import { createRunLocks, type LockGuard, RUN_MISSING } from './run-lock.ts';
import { openLayout, sweepScratch } from './store-layout.ts';

/** Options of `createFileStore`. */
export interface CreateFileStoreOptions {
  /** Directory of the store (created if missing). Two stores on one directory share its runs. */
  dir: string;
  /** Largest opaque string (input, output, error, payload) in UTF-8 bytes (default 64 MiB). */
  maxPayloadBytes?: number;
  /**
   * Age after which a run lock is considered abandoned even if its owner may be alive (default
   * 30 000 ms). Locks of dead processes on this host are broken at once, whatever their age.
   */
  lockStaleMs?: number;
  /** How long a write waits for a live lock before failing retryably (default lockStaleMs + 5 000 ms). */
  lockTimeoutMs?: number;
}

// A new header checkpoint after this many records or bytes since the last one, and whenever a run
// ends (ADR 0031): listings then read at most this much journal per active run.
const CHECKPOINT_RECORDS = 32;
const CHECKPOINT_BYTES = 256 * 1024;
const FINAL_STATUSES = new Set(['completed', 'failed', 'cancelled']);

function resolveMs(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > 2 ** 31 - 1) {
    throw new InvalidArgumentError(`[${ADAPTER}] ${name} must be a positive integer of milliseconds, got ${String(value)}`);
  }
  return value;
}

/**
 * A `DurableStore` in a directory of append-only, checksummed journal files.
 *
 * @example
 * const store = createFileStore({ dir: './cairn-runs' });
 * const runtime = createRuntime({ store, workflows: [greet] });
 */
export function createFileStore(options: CreateFileStoreOptions): DurableStore {
  const maxPayloadBytes = resolveMaxPayloadBytes(
    ADAPTER,
    options.maxPayloadBytes,
    DEFAULT_MAX_PAYLOAD_BYTES,
    MAX_PAYLOAD_BYTES_CEILING,
  );
  const lockStaleMs = resolveMs('lockStaleMs', options.lockStaleMs, 30_000);
  const lockTimeoutMs = resolveMs('lockTimeoutMs', options.lockTimeoutMs, lockStaleMs + 5_000);
  let layout: ReturnType<typeof openLayout>;
  let locks: ReturnType<typeof createRunLocks>;
  try {
    layout = openLayout(options.dir);
    sweepScratch(layout, lockStaleMs);
    sweepOwners(layout.ownersDir, readdirSync(layout.ownersDir));
    locks = createRunLocks({ ownersDir: layout.ownersDir, staleMs: lockStaleMs, timeoutMs: lockTimeoutMs });
  } catch (error) {
    throw toFileStoreError(error, `opening ${JSON.stringify(String(options.dir))}`);
  }
  const cache = createJournalCache(layout);
  const kit = createNodeStoreKit('file', layout.dir, maxPayloadBytes, describeFileFailure);

  // A checkpoint is an optimisation: if it cannot be written now, the next write tries again.
  function maybeCheckpoint(journal: RunJournal, finished: boolean): void {
    const due =
      journal.recordsSinceCheckpoint >= CHECKPOINT_RECORDS || journal.validEnd - journal.committedEnd >= CHECKPOINT_BYTES;
    if (!due && !(finished && journal.recordsSinceCheckpoint > 0)) return;
    try {
      if (finished) trimJournal(journal);
      const slot = otherSlot(journal.checkpointSlot);
      writeHeader(layout.runDir(journal.runId), slot, journal.validEnd, journal.record);
      journal.checkpointSlot = slot;
      journal.committedEnd = journal.validEnd;
      journal.recordsSinceCheckpoint = 0;
    } catch {
      // See above.
    }
  }

  // Holding the run lock: the journal, up to date, handed to `body`; RunNotFoundError if missing.
  async function mutate(runId: string, body: (journal: RunJournal, guard: LockGuard) => RunRecord): Promise<RunRecord> {
    const outcome = await locks.withRunLock(runId, layout.runDir(runId), (guard) => {
      kit.assertOpen();
      if (guard.fenceDue) {
        // The lock was broken from a holder that may still be alive: move the journal to a new
        // inode before writing, so the zombie's late write cannot land on ours (ADR 0037).
        cache.drop(runId);
        fenceJournal(layout, runId);
        guard.clearFence();
      }
      // Holding the lease since this handle's last write to the run, nobody else can have written
      // it: the cached journal is current without looking at the file.
      const journal = (guard.continuous ? cache.peek(runId) : undefined) ?? cache.current(runId);
      if (!journal) return RUN_MISSING;
      try {
        const before = journal.record.status;
        const next = body(journal, guard);
        maybeCheckpoint(journal, next.status !== before && FINAL_STATUSES.has(next.status));
        return copyRecord(next);
      } catch (error) {
        // After an I/O failure what reached the disk is unknown: reload from the file next time.
        if (!CairnError.is(error)) cache.drop(runId);
        throw error;
      }
    });
    if (outcome === RUN_MISSING) throw kit.notFound(runId);
    return outcome;
  }

  // The current record of a run for listing: the cached journal, else header + journal tail.
  // Corrupt runs are left out of listings and counts (ADR 0034): `undefined`.
  function summary(runId: string): RunRecord | null | undefined {
    try {
      return cache.has(runId) ? (cache.current(runId)?.record ?? null) : summarizeJournal(layout, runId);
    } catch (error) {
      if (CairnError.is(error, 'corrupt-journal')) return undefined;
      throw error;
    }
  }

  // Every readable run's current record, for listings and counts.
  function* summaries(): Generator<RunRecord> {
    for (const runId of layout.listRunIds()) {
      const record = summary(runId);
      if (record) yield record;
    }
  }

  function createRunFolder(record: RunRecord): void {
    const runDir = layout.runDir(record.runId);
    // A link planted where the folder would go throws: renaming onto it is never attempted.
    if (runFolderIno(runDir, record.runId) !== null) throw kit.exists(record.runId);
    const scratch = layout.scratchPath('create', record.runId);
    mkdirSync(scratch);
    try {
      const fd = openSync(join(scratch, 'journal'), 'wx');
      try {
        writeNewJournal(fd, encodeCreate(record));
      } finally {
        closeSync(fd);
      }
      fsyncDirectory(scratch);
      try {
        // Atomic, and refuses an existing non-empty folder: of two racing creators, one wins.
        renameSync(scratch, runDir);
      } catch (error) {
        if (['ENOTEMPTY', 'EEXIST'].includes(errnoOf(error) ?? '')) {
          throw kit.exists(record.runId);
        }
        throw error;
      }
      fsyncDirectory(layout.runsDir);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  return defineStore(kit, 'file', {
    createRun(record) {
      checkNewRun(record);
      createRunFolder(record);
      return copyRecord(record);
    },

    getRun(runId) {
      const journal = cache.current(runId);
      return journal ? copyRecord(journal.record) : null;
    },

    updateRun(runId, expectedVersion, patch) {
      checkPatch(runId, patch);
      return mutate(runId, (journal, guard) => {
        const next = kit.updated(runId, journal.record, expectedVersion, patch);
        writeJournalFrame(journal, encodeUpdate(runId, next.version, patch), guard);
        // A deep copy: the cache must never alias the caller's patch.
        journal.record = copyRecord(next);
        return journal.record;
      });
    },

    append(runId, expectedLastSeq, entries, patch) {
      checkEntries(runId, entries);
      checkPatch(runId, patch);
      return mutate(runId, (journal, guard) => {
        const next = kit.appended(runId, journal.record, expectedLastSeq, entries.length, patch);
        const frame = encodeAppend(runId, expectedLastSeq + 1, entries, patch);
        const offset = writeJournalFrame(journal, frame, guard);
        journal.appends.add(offset, offset + frame.length, expectedLastSeq + 1, entries.length);
        journal.record = copyRecord(next);
        return journal.record;
      });
    },

    readEntries(runId, afterSeq, limit) {
      const journal = cache.current(runId);
      return journal ? readJournalEntries(journal, afterSeq, limit) : [];
    },

    listRuns(query, limit, position) {
      return listFrom(summaries(), query, limit, position);
    },

    async deleteRuns(query) {
      // With ids only, a run whose journal cannot be read can still be deleted (ADR 0034).
      const byIdOnly = query.status === undefined && query.updatedBefore === undefined;
      const moved: string[] = [];
      try {
        for (const runId of query.runIds ? [...new Set(query.runIds)] : layout.listRunIds()) {
          if (byIdOnly && isLinkedRunFolder(layout.runDir(runId))) {
            // A link planted in place of the folder (ADR 0027): remove the link, never its target.
            const scratch = layout.scratchPath('delete', runId);
            renameSync(layout.runDir(runId), scratch);
            moved.push(scratch);
            cache.drop(runId);
            continue;
          }
          // Look first without the lock, so a cleanup pass only locks the runs it may delete;
          // the decision is taken again under the lock.
          const seen = byIdOnly ? undefined : summary(runId);
          if (!byIdOnly && (!seen || !matchesDelete(seen, query))) continue;
          await locks.withRunLock(runId, layout.runDir(runId), () => {
            kit.assertOpen();
            const record = summary(runId);
            if (record === null || (record === undefined && !byIdOnly) || (record && !matchesDelete(record, query))) return;
            const scratch = layout.scratchPath('delete', runId);
            renameSync(layout.runDir(runId), scratch);
            moved.push(scratch);
            cache.drop(runId);
            // The lock went away with the folder.
            locks.forget(runId);
          });
        }
      } finally {
        if (moved.length > 0) fsyncDirectory(layout.runsDir);
        for (const path of moved) rmSync(path, { recursive: true, force: true });
      }
      return moved.length;
    },

    stats: () => statsOf(summaries()),

    close() {
      cache.closeAll();
      locks.close();
    },
  });
}
