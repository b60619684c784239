/**
 * Turning whatever the Durable Object runtime throws into the errors of the storage contract.
 * Cairn errors pass through untouched; anything else becomes `StorageUnavailableError` carrying the
 * original as `cause`, except SQLite's "too big" which is a `PayloadTooLargeError`.
 */
import { CairnError, PayloadTooLargeError, StorageUnavailableError } from '@cairn/core';
import { ADAPTER } from './schema.ts';

// Transient by nature: an overloaded or reset object, a lost connection, a storage timeout, a busy
// database. Not in the list on purpose: SQLITE_FULL and storage-limit errors, which retrying
// cannot fix.
const TRANSIENT =
  /overloaded|reset because|been reset|network connection lost|internal error|timed out|timeout|SQLITE_BUSY|SQLITE_LOCKED|SQLITE_IOERR|broken\./i;
// SQLite's own limit, and the 32 MiB limit of one Workers RPC message (store client).
const TOO_BIG = /SQLITE_TOOBIG|string or blob too big|RPC arguments or return values are limited/i;

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  // Backend messages name tables and constraints, never bound values; still, keep them short.
  return message.length > 200 ? `${message.slice(0, 200)}…` : message;
}

/**
 * Whether trying again may help. The Durable Objects runtime marks its own errors with `retryable`,
 * `overloaded` and `durableObjectReset`; an overloaded object must be retried only with backoff,
 * which the engine's retry policy does, so it counts as retryable here.
 */
export function isTransientStorageError(error: unknown): boolean {
  if (typeof error === 'object' && error !== null) {
    const flags = error as { retryable?: unknown; overloaded?: unknown; durableObjectReset?: unknown };
    if (flags.retryable === true || flags.overloaded === true || flags.durableObjectReset === true) return true;
  }
  return TRANSIENT.test(describe(error));
}

/** The contract error for `error`, thrown by `operation` (on `runId` when there is one). */
export function toStoreError(error: unknown, operation: string, runId?: string): CairnError {
  if (CairnError.is(error)) return error;
  const where = typeof runId === 'string' ? `run "${runId.slice(0, 140)}": ` : '';
  const detail = describe(error);
  if (TOO_BIG.test(detail)) {
    return new PayloadTooLargeError(`[${ADAPTER}] ${where}${operation}: a value exceeds a platform size limit: ${detail}`, {
      cause: error,
    });
  }
  return new StorageUnavailableError(`[${ADAPTER}] ${where}${operation} failed${detail ? `: ${detail}` : ''}`, {
    cause: error,
    retryable: isTransientStorageError(error),
  });
}
