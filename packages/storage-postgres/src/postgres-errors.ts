/**
 * Turning `pg` failures into the contract's errors. Cairn errors pass through; every other failure
 * becomes a `StorageUnavailableError` with the original as `cause`, retryable when trying again
 * can help: the connection was lost or refused, the server is starting, shutting down or
 * recovering from a crash, a serialization failure or deadlock, too many connections.
 */
import { CairnError, StorageUnavailableError } from '@cairn/core';
import { ADAPTER } from './postgres-adapter.ts';

// SQLSTATE classes and codes where the same call may succeed later.
const RETRYABLE_CLASSES = new Set(['08', '53', '57', '58']);
const RETRYABLE_CODES = new Set(['40001', '40P01', '55P03', '55006']);
// Node socket errors: the server went away or is not listening (yet).
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// Errors `pg` raises itself, without a code, when a connection breaks or cannot be had.
const CONNECTION_MESSAGES =
  /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|Connection ended/i;

/** True when `error` is a failure another attempt may get past. */
export function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || RETRYABLE_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code)) return RETRYABLE_CLASSES.has(code.slice(0, 2));
  }
  return error instanceof Error && CONNECTION_MESSAGES.test(error.message);
}

/** The error to surface for a failure of `operation` (on run `runId`, if any). */
export function toStoreError(error: unknown, operation: string, runId?: string): Error {
  if (CairnError.is(error)) return error;
  const about = runId === undefined ? '' : ` run "${runId}":`;
  const code = (error as { code?: unknown } | null)?.code;
  const reason = error instanceof Error ? error.message : String(error);
  const shown = `${typeof code === 'string' ? `${code} ` : ''}${reason.slice(0, 200)}`;
  return new StorageUnavailableError(`[${ADAPTER}]${about} ${operation} failed: ${shown}`, {
    cause: error,
    retryable: isRetryable(error),
  });
}
