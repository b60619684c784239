/**
 * How ioredis and server failures read and whether they are retryable; the adapter kit turns them
 * into the contract's `StorageUnavailableError` (Cairn errors pass through). Retryable when trying
 * again can help: the connection dropped or is reconnecting, the server restarts and loads its data
 * (LOADING), a script runs too long (BUSY), a failover is under way (READONLY, MASTERDOWN,
 * TRYAGAIN). A call that was in flight when the connection dropped may or may not have been applied:
 * the next compare-and-set tells, so it is never sent again behind the caller's back.
 */
import type { BackendFailure } from '@cairn/core/adapter';

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

/** The kit's `describeFailure`: the message, and a hint when a retry can help. */
export function describeRedisFailure(error: unknown): BackendFailure {
  const retryable = isRetryableRedisError(error);
  const hint = retryable ? ' (retryable: the server is unreachable or restarting)' : '';
  // The kit shows 200 characters of a reason: cut the message so the hint always shows.
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 200 - hint.length);
  return { reason: `${message}${hint}`, retryable };
}
