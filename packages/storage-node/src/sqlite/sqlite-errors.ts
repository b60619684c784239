/**
 * Turning SQLite failures into the contract's errors. Cairn errors pass through untouched; every
 * other failure becomes a `StorageUnavailableError` carrying the original as `cause`, retryable only
 * when waiting can help (another connection holds the write lock).
 */
import { type BackendFailure, createAdapterKit } from '@cairn/core/adapter';
import { ADAPTER, DEFAULT_MAX_PAYLOAD_BYTES } from '../shared/adapter.ts';

const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;

/** The primary SQLite result code of an error thrown by `node:sqlite`, if it is one. */
export function sqliteResultCode(error: unknown): number | undefined {
  const errcode = (error as { errcode?: unknown } | null)?.errcode;
  // Extended codes carry the primary code in their low byte (SQLITE_BUSY_SNAPSHOT = 5 | 2 << 8).
  return typeof errcode === 'number' ? errcode & 0xff : undefined;
}

/** True when `error` is SQLITE_BUSY or SQLITE_LOCKED (any extended variant). */
export function isBusy(error: unknown): boolean {
  const code = sqliteResultCode(error);
  return code === SQLITE_BUSY || code === SQLITE_LOCKED;
}

/** How a SQLite failure reads, and whether waiting can help (another connection holds the write lock). */
export function describeSqliteFailure(error: unknown): BackendFailure {
  if (isBusy(error)) return { reason: 'the database is busy (locked by another connection)', retryable: true };
  const detail = (error as { errstr?: unknown } | null)?.errstr;
  return { reason: typeof detail === 'string' ? detail : error instanceof Error ? error.message : String(error) };
}

// Failures outside a store handle (opening, integrity checks) read as the handle's do.
const messages = createAdapterKit({
  adapter: ADAPTER,
  label: 'sqlite',
  defaultMaxPayloadBytes: DEFAULT_MAX_PAYLOAD_BYTES,
  describeFailure: describeSqliteFailure,
});

/** The error to surface for a failure of `operation` (on run `runId`, if any). */
export function toStoreError(error: unknown, operation: string, runId?: string): Error {
  return messages.toStoreError(error, operation, runId);
}
