/**
 * How `pg` failures read and whether they are retryable; the adapter kit turns them into the
 * contract's `StorageUnavailableError` (Cairn errors pass through). Retryable when trying again can
 * help: the connection was lost or refused, the server is starting, shutting down or recovering
 * from a crash, a serialization failure or deadlock, too many connections.
 */
import type { BackendFailure } from '@cairn/core/adapter';

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

/** The kit's `describeFailure`: the SQLSTATE or socket code, then the message. */
export function describePostgresFailure(error: unknown): BackendFailure {
  const code = (error as { code?: unknown } | null)?.code;
  const reason = error instanceof Error ? error.message : String(error);
  return { reason: `${typeof code === 'string' ? `${code} ` : ''}${reason}`, retryable: isRetryable(error) };
}
