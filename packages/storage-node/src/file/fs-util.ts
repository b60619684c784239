/**
 * Small synchronous file helpers with the durability steps spelled out, and the mapping of
 * file-system failures to the contract's errors.
 */
import { closeSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { type BackendFailure, createAdapterKit } from '@cairn/core/adapter';
import { ADAPTER, DEFAULT_MAX_PAYLOAD_BYTES } from '../shared/adapter.ts';

/** The errno code of a Node file-system error, if any. */
export function errnoOf(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

// Failures that may pass if the call is tried again: resource exhaustion, interruptions.
const RETRYABLE = new Set(['EAGAIN', 'EBUSY', 'EMFILE', 'ENFILE', 'EINTR', 'ETIMEDOUT', 'ENOMEM']);

/** How a file-system failure reads (its errno code only: messages name paths) and whether a retry can help. */
export function describeFileFailure(error: unknown): BackendFailure {
  const code = errnoOf(error) ?? 'unknown error';
  return { reason: code, retryable: RETRYABLE.has(code) };
}

// Failures outside a store handle (opening, integrity checks) read as the handle's do.
const messages = createAdapterKit({
  adapter: ADAPTER,
  label: 'file',
  defaultMaxPayloadBytes: DEFAULT_MAX_PAYLOAD_BYTES,
  describeFailure: describeFileFailure,
});

/** The error to surface for a failure of `operation` (on run `runId`, if any). */
export function toFileStoreError(error: unknown, operation: string, runId?: string): Error {
  return messages.toStoreError(error, operation, runId);
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
