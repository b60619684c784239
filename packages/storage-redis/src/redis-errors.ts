/**
 * Turning ioredis and server failures into the contract's errors. Cairn errors pass through; every
 * other failure becomes a `StorageUnavailableError` carrying the original as `cause`, retryable when
 * trying again can help: the connection dropped or is reconnecting, the server restarts and loads
 * its data (LOADING), a script runs too long (BUSY), a failover is under way (READONLY, MASTERDOWN,
 * TRYAGAIN). A call that was in flight when the connection dropped may or may not have been applied:
 * the next compare-and-set tells, so it is never sent again behind the caller's back.
 */
import { CairnError, StorageUnavailableError } from '@cairn/core';

/** The prefix of every message of this package (DESIGN §7). */
export const ADAPTER = '@cairn/storage-redis';

const RETRYABLE_REPLIES = /^(LOADING|BUSY|READONLY|MASTERDOWN|TRYAGAIN|NOREPLICAS|CLUSTERDOWN)\b/;
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ECONNABORTED',
]);
const CONNECTION_MESSAGES =
  /Connection is closed|Stream isn't writeable|connect ETIMEDOUT|Reached the max retries per request|Command timed out/;

/** True when `error` means the server could not be reached or is restarting: try again later. */
export function isRetryableRedisError(error: unknown): boolean {
  const value = error as { code?: unknown; name?: unknown; message?: unknown } | null;
  const message = typeof value?.message === 'string' ? value.message : '';
  return (
    RETRYABLE_REPLIES.test(message) ||
    CONNECTION_MESSAGES.test(message) ||
    (typeof value?.code === 'string' && CONNECTION_CODES.has(value.code)) ||
    value?.name === 'MaxRetriesPerRequestError'
  );
}

/** The error to surface for a failure of `operation` (on run `runId`, if any). */
export function toStoreError(error: unknown, operation: string, runId?: string): Error {
  if (CairnError.is(error)) return error;
  const about = runId === undefined ? '' : ` run "${runId}":`;
  const reason = error instanceof Error ? error.message : String(error);
  const retryable = isRetryableRedisError(error);
  const hint = retryable ? ' (retryable: the server is unreachable or restarting)' : '';
  return new StorageUnavailableError(`[${ADAPTER}]${about} ${operation} failed: ${reason.slice(0, 200)}${hint}`, {
    cause: error,
    retryable,
    adapter: ADAPTER,
    ...(runId === undefined ? {} : { runId }),
  });
}
