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
import {
  applyPatch,
  assertAppendArguments,
  assertDeleteQuery,
  assertRunId,
  assertUpdateArguments,
  CairnError,
  compareListOrder,
  conflictError,
  type DurableStore,
  decodeCursor,
  emptyStats,
  encodeCursor,
  InvalidArgumentError,
  isAfter,
  listLimit,
  matchesDelete,
  matchesList,
  notFoundError,
  RunExistsError,
  type RunRecord,
  readRange,
  StorageUnavailableError,
} from '@cairn/core';
import { ADAPTER, resolveMaxPayloadBytes } from '../shared/adapter.ts';
import { checkEntries, checkNewRun, checkPatch, normalizeRecord } from '../shared/values.ts';
import { errnoOf, fsyncDirectory, toFileStoreError } from './fs-util.ts';
import { otherSlot, writeHeader } from './header-file.ts';
import { createJournalCache } from './journal-cache.ts';
import { encodeAppend, encodeCreate, encodeUpdate } from './journal-records.ts';
import { sweepOwners } from './lock-file.ts';
import { isLinkedRunFolder, runFolderIno } from './run-folder.ts';
import {
  fenceJournal,
  type RunJournal,
  readJournalEntries,
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
  const maxPayloadBytes = resolveMaxPayloadBytes(options.maxPayloadBytes);
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
  let closed = false;

  function ensureOpen(): void {
    if (closed) throw new StorageUnavailableError(`[${ADAPTER}] file store ${JSON.stringify(layout.dir)} is closed`);
  }

  async function guarded<T>(operation: string, runId: string | undefined, body: () => T | Promise<T>): Promise<T> {
    ensureOpen();
    try {
      return await body();
    } catch (error) {
      throw toFileStoreError(error, operation, runId);
    }
  }

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
      ensureOpen();
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
        return normalizeRecord(next);
      } catch (error) {
        // After an I/O failure what reached the disk is unknown: reload from the file next time.
        if (!CairnError.is(error)) cache.drop(runId);
        throw error;
      }
    });
    if (outcome === RUN_MISSING) throw notFoundError(ADAPTER, runId);
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

  function createRunFolder(record: RunRecord): void {
    const runDir = layout.runDir(record.runId);
    // A link planted where the folder would go throws: renaming onto it is never attempted.
    if (runFolderIno(runDir, record.runId) !== null)
      throw new RunExistsError(`[${ADAPTER}] run "${record.runId}" already exists`);
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
          throw new RunExistsError(`[${ADAPTER}] run "${record.runId}" already exists`);
        }
        throw error;
      }
      fsyncDirectory(layout.runsDir);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  return {
    name: 'file',
    limits: { maxPayloadBytes },

    createRun: (run) =>
      guarded('createRun', run?.runId, () => {
        const record = checkNewRun(run, maxPayloadBytes);
        createRunFolder(record);
        return normalizeRecord(record);
      }),

    getRun: (runId) =>
      guarded('getRun', runId, () => {
        assertRunId(runId, ADAPTER);
        const journal = cache.current(runId);
        return journal ? normalizeRecord(journal.record) : null;
      }),

    updateRun: (runId, expectedVersion, patch) =>
      guarded('updateRun', runId, () => {
        assertUpdateArguments(ADAPTER, runId, expectedVersion);
        checkPatch(runId, patch, maxPayloadBytes);
        return mutate(runId, (journal, guard) => {
          const current = journal.record;
          if (current.version !== expectedVersion)
            throw conflictError(ADAPTER, runId, 'version', expectedVersion, current.version);
          const version = current.version + 1;
          writeJournalFrame(journal, encodeUpdate(runId, version, patch), guard);
          // A deep copy: the cache must never alias the caller's patch.
          journal.record = normalizeRecord({ ...applyPatch(current, patch), version, lastSeq: current.lastSeq });
          return journal.record;
        });
      }),

    append: (runId, expectedLastSeq, entries, patch) =>
      guarded('append', runId, () => {
        assertAppendArguments(ADAPTER, runId, expectedLastSeq, entries);
        checkEntries(runId, entries, maxPayloadBytes);
        checkPatch(runId, patch, maxPayloadBytes);
        return mutate(runId, (journal, guard) => {
          const current = journal.record;
          if (current.lastSeq !== expectedLastSeq)
            throw conflictError(ADAPTER, runId, 'lastSeq', expectedLastSeq, current.lastSeq);
          const frame = encodeAppend(runId, expectedLastSeq + 1, entries, patch);
          const offset = writeJournalFrame(journal, frame, guard);
          journal.appends.push({ offset, end: offset + frame.length, firstSeq: expectedLastSeq + 1, count: entries.length });
          journal.record = normalizeRecord({
            ...applyPatch(current, patch),
            version: current.version,
            lastSeq: expectedLastSeq + entries.length,
          });
          return journal.record;
        });
      }),

    readEntries: (runId, readOptions) =>
      guarded('readEntries', runId, () => {
        const { afterSeq, limit } = readRange(ADAPTER, runId, readOptions);
        const journal = cache.current(runId);
        return journal ? readJournalEntries(journal, afterSeq, limit) : [];
      }),

    listRuns: (query) =>
      guarded('listRuns', undefined, () => {
        const limit = listLimit(query, ADAPTER);
        const position = query?.cursor === undefined ? undefined : decodeCursor(query.cursor, ADAPTER);
        const matching: RunRecord[] = [];
        for (const runId of layout.listRunIds()) {
          const record = summary(runId);
          if (record && matchesList(record, query) && (!position || isAfter(record, position))) matching.push(record);
        }
        matching.sort(compareListOrder);
        const runs = matching.slice(0, limit).map(normalizeRecord);
        const last = runs[runs.length - 1];
        return matching.length > limit && last ? { runs, cursor: encodeCursor(last) } : { runs };
      }),

    deleteRuns: (query) =>
      guarded('deleteRuns', undefined, async () => {
        assertDeleteQuery(query, ADAPTER);
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
              ensureOpen();
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
      }),

    stats: () =>
      guarded('stats', undefined, () => {
        const stats = emptyStats();
        for (const runId of layout.listRunIds()) {
          const record = summary(runId);
          if (!record) continue;
          stats.total++;
          stats.byStatus[record.status]++;
        }
        return stats;
      }),

    async close() {
      if (closed) return;
      closed = true;
      cache.closeAll();
      locks.close();
    },
  };
}
