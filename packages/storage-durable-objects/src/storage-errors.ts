/**
 * Turning whatever the Durable Object runtime throws into the errors of the storage contract.
 * Cairn errors pass through untouched; anything else becomes `StorageUnavailableError` carrying the
 * original as `cause`, except SQLite's "too big" which is a `PayloadTooLargeError`.
 */
import type { CairnError } from '@cairn/core';
import { type BackendFailure, createAdapterKit } from '@cairn/core/adapter';
import { DEFAULT_MAX_PAYLOAD_BYTES } from './limits.ts';
import { ADAPTER } from './schema.ts';

// Transient by nature: an overloaded or reset object, a lost connection, a storage timeout, a busy
// database. Not in the list on purpose: SQLITE_FULL and storage-limit errors, which retrying
// cannot fix.
const TRANSIENT =
  /overloaded|reset because|been reset|network connection lost|internal error|timed out|timeout|SQLITE_BUSY|SQLITE_LOCKED|SQLITE_IOERR|broken\./i;
// SQLite's own limit, and the 32 MiB limit of one Workers RPC message (store client).
const TOO_BIG = /SQLITE_TOOBIG|string or blob too big|RPC arguments or return values are limited/i;

// Backend messages name tables and constraints, never bound values (the kit keeps them short).
function describe(error: unknown): string {
  return error instanceof Error ? error.message : typeof error === 'string' ? error : '';
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

/** How a Durable Object failure reads, whether a retry can help, and whether it is a size limit. */
export function describeDurableObjectFailure(error: unknown): BackendFailure {
  const reason = describe(error);
  return { reason, retryable: isTransientStorageError(error), tooLarge: TOO_BIG.test(reason) };
}

// Failures outside a store handle (migrations, RPC clients) read as the store's do.
const messages = createAdapterKit({
  adapter: ADAPTER,
  defaultMaxPayloadBytes: DEFAULT_MAX_PAYLOAD_BYTES,
  describeFailure: describeDurableObjectFailure,
});

/** The contract error for `error`, thrown by `operation` (on `runId` when there is one). */
export function toStoreError(error: unknown, operation: string, runId?: string): CairnError {
  return messages.toStoreError(error, operation, runId);
}
