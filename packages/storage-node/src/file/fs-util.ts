/**
 * Small synchronous file helpers with the durability steps spelled out, and the mapping of
 * file-system failures to the contract's errors.
 */
import { closeSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { CairnError, StorageUnavailableError } from '@cairn/core';
import { ADAPTER } from '../shared/adapter.ts';

/** The errno code of a Node file-system error, if any. */
export function errnoOf(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

// Failures that may pass if the call is tried again: resource exhaustion, interruptions.
const RETRYABLE = new Set(['EAGAIN', 'EBUSY', 'EMFILE', 'ENFILE', 'EINTR', 'ETIMEDOUT', 'ENOMEM']);

/** The error to surface for a failure of `operation` (on run `runId`, if any). */
export function toFileStoreError(error: unknown, operation: string, runId?: string): Error {
  if (CairnError.is(error)) return error;
  const code = errnoOf(error) ?? 'unknown error';
  const about = runId === undefined ? '' : ` run "${runId}":`;
  return new StorageUnavailableError(`[${ADAPTER}] file store${about} ${operation} failed (${code})`, {
    cause: error,
    retryable: RETRYABLE.has(code),
  });
}

/** Write all of `buffer` at `position` (a single `write` in practice; loops on short writes). */
export function writeAll(fd: number, buffer: Buffer, position: number): void {
  let written = 0;
  while (written < buffer.length) {
    written += writeSync(fd, buffer, written, buffer.length - written, position + written);
  }
}

/** Read up to `length` bytes at `position` into a new buffer (shorter at end of file). */
export function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let read = 0;
  while (read < length) {
    const count = readSync(fd, buffer, read, length - read, position + read);
    if (count === 0) break;
    read += count;
  }
  return read === length ? buffer : buffer.subarray(0, read);
}

/**
 * fsync a directory, so that entries created, renamed or removed in it survive power loss. Systems
 * that cannot open directories for sync (EISDIR, EPERM, EINVAL) are skipped: there is nothing more
 * this process can do there.
 */
export function fsyncDirectory(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if (['EISDIR', 'EPERM', 'EINVAL'].includes(errnoOf(error) ?? '')) return;
    throw error;
  }
  try {
    fsyncSync(fd);
  } catch (error) {
    if (!['EISDIR', 'EPERM', 'EINVAL'].includes(errnoOf(error) ?? '')) throw error;
  } finally {
    closeSync(fd);
  }
}

/** A short random suffix for temporary names. */
export function randomSuffix(): string {
  return crypto.randomUUID().slice(0, 13).replace('-', '');
}
