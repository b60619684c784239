/**
 * Opening a run's folder and files without following symbolic links (ADR 0027).
 *
 * The store creates every run folder and file itself, so a symbolic link in their place was
 * planted (or left by a careless copy): following it would make the store read another file as a
 * journal, write records into it, or truncate it. Node has no `openat`, so the folder is checked
 * with `lstat` and files are opened with `O_NOFOLLOW` (the last path component is never followed).
 *
 * Invariants:
 * - a link where a run file or folder should be is a `CorruptJournalError` naming the run and the
 *   path; nothing is read, written, linked or truncated through it;
 * - listing and stats leave such a run out, `checkFileStoreIntegrity` reports it, and
 *   `deleteRuns({ runIds })` removes the link itself (never its target).
 */
import { constants, lstatSync, openSync } from 'node:fs';
import { CorruptJournalError } from '@cairn/core';
import { ADAPTER } from '../shared/adapter.ts';
import { errnoOf } from './fs-util.ts';

/** The error for a link (or other non-regular entry) where a run's file or folder should be. */
export function plantedLinkError(runId: string, path: string, what: string): CorruptJournalError {
  return new CorruptJournalError(
    `[${ADAPTER}] run "${runId}": ${JSON.stringify(path)} is ${what}; the store does not follow it (nothing was read or written through it)`,
  );
}

/** True when a symbolic link stands where the run's folder should be. */
export function isLinkedRunFolder(runDir: string): boolean {
  try {
    return lstatSync(runDir).isSymbolicLink();
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return false;
    throw error;
  }
}

/**
 * The inode of the run's folder, `null` when it does not exist; throws `plantedLinkError` when a
 * link (or a plain file) stands in its place.
 */
export function runFolderIno(runDir: string, runId: string): number | null {
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(runDir);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return null;
    throw error;
  }
  if (stat.isSymbolicLink()) throw plantedLinkError(runId, runDir, 'a symbolic link, not the run folder');
  if (!stat.isDirectory()) throw plantedLinkError(runId, runDir, 'not a folder');
  return stat.ino;
}

/**
 * `open(path, flags | O_NOFOLLOW)`: a symbolic link at `path` throws `plantedLinkError` (ELOOP),
 * other failures (ENOENT included) are rethrown as they are.
 */
export function openRunFile(runId: string, path: string, flags: number, mode?: number): number {
  try {
    return openSync(path, flags | constants.O_NOFOLLOW, mode);
  } catch (error) {
    if (errnoOf(error) === 'ELOOP') throw plantedLinkError(runId, path, 'a symbolic link, not a run file');
    throw error;
  }
}
