/**
 * One run's journal as a store handle sees it: an open descriptor, the header folded from every
 * record, where each append record sits, and how far the file has been verified (ADR 0031).
 *
 * File shape: frames back to back from offset 0, then zeros to the end of the file. Writers
 * allocate zeroed space ahead of the frames, so that a normal append overwrites allocated blocks
 * and its `fdatasync` flushes data only (growing a file makes ext4 commit its metadata journal on
 * every sync: measured ~20-25% of an append).
 *
 * Invariants:
 * - `record` is exactly the fold of the journal's valid frames `[0, validEnd)`;
 * - the descriptor stays open while the journal is cached, so its inode cannot be reused: a path
 *   whose inode differs is another incarnation of the run (deleted and created again);
 * - bytes are only ever written at `validEnd` by a writer holding the run lock, and a writer cuts
 *   off anything that is not zeros after `validEnd` (a torn write) before it appends;
 * - a full load verifies every frame and that only zeros follow them; a refresh verifies the
 *   frames added since (new frames start where zeros were);
 * - each frame is verified (checksum) once per handle: reading entries finds the frames again by
 *   shape (magic, length, the place the index says) and decodes them, without a second checksum
 *   pass (ADR 0195). A frame rewritten in place after that is still refused if its shape or its
 *   record no longer matches; a journal replaced by another file is a new inode, loaded and
 *   verified in full;
 * - a load that read the whole file at once keeps those bytes and the entry metas it decoded for
 *   the handle's first read (`journal-read.ts`, ADR 0199).
 */
import {
  closeSync,
  constants,
  copyFileSync,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  lstatSync,
  openSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { assignPatch, type RunPatch, type RunRecord } from '@cairn/core';
import { type AppendIndex, createAppendIndex } from './append-index.ts';
import { errnoOf, fsyncDirectory, readAt, writeAll } from './fs-util.ts';
import { type HeaderSlot, readHeader } from './header-file.ts';
import { createKeptMetas, type KeptMetas, keepMetas, type LoadedFrames } from './journal-read.ts';
import { decodeRecord } from './journal-records.ts';
import { corruptAt, type FoundFrame, fileSource, isZero, readsWhole, scanFrames } from './journal-scan.ts';
import { FRAME_HEADER_BYTES } from './record-frame.ts';
import { openRunFile, runFolderIno } from './run-folder.ts';
import type { LockGuard } from './run-lock.ts';
import type { StoreLayout } from './store-layout.ts';
import { fileStoreTestHooks } from './test-hooks.ts';

/** A run's journal, open and folded. */
export interface RunJournal {
  readonly runId: string;
  readonly fd: number;
  readonly ino: number;
  readonly dev: number;
  /** Inode of the run folder the journal was opened in (a folder swapped for a link is another incarnation). */
  readonly folderIno: number;
  record: RunRecord;
  validEnd: number;
  /** File size: `[validEnd, allocatedEnd)` is zeros, unless `tailDirty`. */
  allocatedEnd: number;
  /** A torn write follows `validEnd`: the next writer cuts it off. */
  tailDirty: boolean;
  /** Journal bytes the best header checkpoint covers (durable: damage before it is corruption). */
  committedEnd: number;
  /** The slot holding that checkpoint (the next checkpoint goes to the other one). */
  checkpointSlot: HeaderSlot | null;
  /** Records written after the checkpoint (a new checkpoint is due after enough of them). */
  recordsSinceCheckpoint: number;
  appends: AppendIndex;
  /** What the load verified, kept for the first `readEntries` only (then `null`; ADR 0199). */
  loaded: LoadedFrames | null;
}

interface FoldState {
  record: RunRecord | null;
  /** `record` is this fold's own copy (patched in place), not one a caller may hold. */
  owned: boolean;
  /** Where appends sit, when indexing (full loads and refreshes), else `null` (summaries). */
  appends: AppendIndex | null;
  /** Where the entry metas of the appends go, when the load keeps them for the first read. */
  metas: KeptMetas | null;
  records: number;
}

// A load folds thousands of records: patches are applied in place to the fold's own copy, which
// is made once (on the first patch) when the fold starts from a record others may hold.
function patched(state: FoldState, current: RunRecord, patch: RunPatch | undefined, version: number, lastSeq: number): RunRecord {
  const next = state.owned ? current : { ...current };
  state.owned = true;
  if (patch) assignPatch(next, patch);
  next.version = version;
  next.lastSeq = lastSeq;
  return next;
}

function fold(state: FoldState, frame: FoundFrame, runId: string): void {
  let decoded: ReturnType<typeof decodeRecord>;
  try {
    decoded = decodeRecord(frame.buffer, frame.bodyStart, frame.bodyEnd);
  } catch {
    // Never echo the parser's message: it may quote payload text.
    throw corruptAt(runId, frame.offset, 'undecodable record');
  }
  const current = state.record;
  state.records++;
  if (decoded.type === 'create') {
    if (current !== null || frame.offset !== 0 || decoded.run.runId !== runId)
      throw corruptAt(runId, frame.offset, 'misplaced create record');
    state.record = decoded.run;
    state.owned = true;
    return;
  }
  if (current === null) throw corruptAt(runId, frame.offset, 'journal does not start with a create record');
  if (decoded.type === 'append') {
    if (decoded.firstSeq !== current.lastSeq + 1) {
      throw corruptAt(runId, frame.offset, `entries start at seq ${decoded.firstSeq}, expected ${current.lastSeq + 1}`);
    }
    state.record = patched(state, current, decoded.patch, current.version, current.lastSeq + decoded.count);
    state.appends?.add(frame.offset, frame.end, decoded.firstSeq, decoded.count);
    if (state.metas) keepMetas(state.metas, decoded.firstSeq, decoded.metas);
    return;
  }
  if (decoded.type === 'update') {
    if (decoded.version !== current.version + 1)
      throw corruptAt(runId, frame.offset, `update to version ${decoded.version} after ${current.version}`);
    state.record = patched(state, current, decoded.patch, decoded.version, current.lastSeq);
    return;
  }
  throw corruptAt(runId, frame.offset, 'header record inside the journal');
}

/** Open and fully verify the journal of `runId`; `null` when the run does not exist. */
export function loadJournal(layout: StoreLayout, runId: string): RunJournal | null {
  let fd: number;
  let folderIno: number;
  try {
    // Links are never followed: not in place of the folder, nor of the journal (ADR 0027).
    const ino = runFolderIno(layout.runDir(runId), runId);
    if (ino === null) return null;
    folderIno = ino;
    fd = openRunFile(runId, layout.journalPath(runId), constants.O_RDWR);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return null;
    throw error;
  }
  try {
    const stat = fstatSync(fd);
    const header = readHeader(layout.runDir(runId), runId);
    const committedEnd = header?.offset ?? 0;
    // A journal read in one go is kept, with its entry metas, for the first read (ADR 0199).
    const metas = readsWhole(stat.size) ? createKeptMetas() : null;
    const state: FoldState = { record: null, owned: true, appends: createAppendIndex(), metas, records: 0 };
    let recordsSinceCheckpoint = 0;
    const source = fileSource(fd, stat.size);
    const end = scanFrames(source, 0, committedEnd, runId, true, (frame) => {
      fold(state, frame, runId);
      if (frame.offset >= committedEnd) recordsSinceCheckpoint++;
    });
    if (state.record === null) throw corruptAt(runId, 0, 'journal has no create record');
    if (end.validEnd < committedEnd)
      throw corruptAt(runId, end.validEnd, `journal ends before the ${committedEnd} bytes its header covers`);
    const bytes = metas ? source.prefix(end.validEnd) : null;
    return {
      runId,
      fd,
      ino: stat.ino,
      dev: stat.dev,
      folderIno,
      record: state.record,
      validEnd: end.validEnd,
      allocatedEnd: stat.size,
      tailDirty: end.tail === 'torn',
      committedEnd,
      checkpointSlot: header?.slot ?? null,
      recordsSinceCheckpoint,
      appends: state.appends ?? createAppendIndex(),
      loaded: bytes && metas ? { bytes, metas } : null,
    };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/**
 * Bring a cached journal up to date with the file: `'fresh'` when `journal` now matches it,
 * `'missing'` when the run is gone, `'replaced'` when the path holds another incarnation.
 * Costs one `stat` and, when the file is longer than the frames, one 12-byte read.
 */
export function refreshJournal(layout: StoreLayout, journal: RunJournal): 'fresh' | 'missing' | 'replaced' {
  let stat: { ino: number; dev: number; size: number };
  try {
    // lstat, never stat: a folder or journal swapped for a link is another incarnation, reloaded
    // (and refused) by loadJournal.
    if (lstatSync(layout.runDir(journal.runId)).ino !== journal.folderIno) return 'replaced';
    stat = lstatSync(layout.journalPath(journal.runId));
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return 'missing';
    throw error;
  }
  if (stat.ino !== journal.ino || stat.dev !== journal.dev || stat.size < journal.validEnd) return 'replaced';
  journal.allocatedEnd = stat.size;
  if (stat.size === journal.validEnd) return 'fresh';
  // New frames start where zeros were: zeros at validEnd mean nothing was appended since.
  if (isZero(readAt(journal.fd, journal.validEnd, FRAME_HEADER_BYTES))) return 'fresh';
  const state: FoldState = { record: journal.record, owned: false, appends: journal.appends, metas: null, records: 0 };
  const end = scanFrames(
    fileSource(journal.fd, stat.size),
    journal.validEnd,
    journal.committedEnd,
    journal.runId,
    false,
    (frame) => fold(state, frame, journal.runId),
  );
  journal.record = state.record as RunRecord;
  journal.validEnd = end.validEnd;
  journal.tailDirty = end.tail === 'torn';
  journal.recordsSinceCheckpoint += state.records;
  return 'fresh';
}

/**
 * Fold the journal from its header checkpoint only (listing, stats, cleanup): the region before
 * the checkpoint is not re-verified. `null` when the run does not exist.
 */
export function summarizeJournal(layout: StoreLayout, runId: string): RunRecord | null {
  try {
    if (runFolderIno(layout.runDir(runId), runId) === null) return null;
    // Header first, then journal: the journal only grows, so it covers at least what the header does.
    const header = readHeader(layout.runDir(runId), runId);
    const fd = openRunFile(runId, layout.journalPath(runId), constants.O_RDONLY);
    try {
      const size = fstatSync(fd).size;
      if (header && header.offset > size)
        throw corruptAt(runId, size, `journal ends before the ${header.offset} bytes its header covers`);
      // The header's record was parsed for this fold alone.
      const state: FoldState = { record: header?.run ?? null, owned: true, appends: null, metas: null, records: 0 };
      const start = header?.offset ?? 0;
      scanFrames(fileSource(fd, size), start, start, runId, false, (frame) => fold(state, frame, runId));
      if (state.record === null) throw corruptAt(runId, 0, 'journal has no create record');
      return state.record;
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return null;
    throw error;
  }
}

const ZEROS = Buffer.alloc(1024 * 1024);
// Allocate ahead as much as the journal already holds, within these bounds: small runs stay small
// on disk, long runs grow in few steps.
const MIN_AHEAD = 16 * 1024;
const MAX_AHEAD = 1024 * 1024;

/**
 * Append one sealed frame durably: one `write` and one `fdatasync` (plus a write of zeros when the
 * allocated space runs out). Call it holding the run lock, right after `refreshJournal` said
 * `'fresh'`. On failure the journal must be dropped from the cache: what reached the disk is unknown.
 */
export function writeJournalFrame(journal: RunJournal, frame: Buffer, guard: LockGuard): number {
  guard.assertHeld();
  fileStoreTestHooks.beforeJournalWrite?.(journal.runId);
  const offset = journal.validEnd;
  if (journal.tailDirty) {
    ftruncateSync(journal.fd, offset);
    journal.allocatedEnd = offset;
    journal.tailDirty = false;
  }
  writeAll(journal.fd, frame, offset);
  const end = offset + frame.length;
  if (end > journal.allocatedEnd) {
    const ahead = Math.min(MAX_AHEAD, Math.max(MIN_AHEAD, end));
    for (let position = end; position < end + ahead; position += ZEROS.length) {
      writeAll(journal.fd, ZEROS.subarray(0, Math.min(ZEROS.length, end + ahead - position)), position);
    }
    journal.allocatedEnd = end + ahead;
  }
  fdatasyncSync(journal.fd);
  // A holder frozen since its lock check may have lost the lock meanwhile: then the journal was
  // fenced (moved to a new inode) and this write landed in the old one, unseen. Not acknowledged.
  guard.confirmWritten();
  journal.validEnd = end;
  journal.recordsSinceCheckpoint++;
  return offset;
}

/**
 * Fence the journal of `runId` against a holder that lost the lock while frozen (ADR 0037): copy
 * it to a new inode, make the copy durable, and rename it over the journal. The zombie's open
 * descriptor keeps the old inode, so whatever it writes later lands there, unseen; the caller
 * writes only after this. Call it holding the run lock, before the first write, with the run's
 * journal dropped from the cache.
 */
export function fenceJournal(layout: StoreLayout, runId: string): void {
  const path = layout.journalPath(runId);
  const copy = layout.scratchPath('fence', runId);
  copyFileSync(path, copy, constants.COPYFILE_FICLONE);
  try {
    const fd = openSync(copy, constants.O_RDWR);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(copy, path);
  } catch (error) {
    rmSync(copy, { force: true });
    throw error;
  }
  fsyncDirectory(layout.runDir(runId));
}

/** Write a new journal holding `frame` (a create record) and its first allocated space, then fsync. */
export function writeNewJournal(fd: number, frame: Buffer): void {
  writeAll(fd, frame, 0);
  writeAll(fd, ZEROS.subarray(0, MIN_AHEAD), frame.length);
  fsyncSync(fd);
}

/** Give back the space allocated ahead (a finished run grows no more). */
export function trimJournal(journal: RunJournal): void {
  if (journal.allocatedEnd === journal.validEnd || journal.tailDirty) return;
  ftruncateSync(journal.fd, journal.validEnd);
  journal.allocatedEnd = journal.validEnd;
}
