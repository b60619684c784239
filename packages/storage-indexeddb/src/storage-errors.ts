/**
 * Turning IndexedDB failures into Cairn errors. The platform's messages are kept only as `cause`:
 * some of them quote the value being written (DataCloneError does), and Cairn messages never carry
 * payload contents.
 */
import { CairnError, StorageUnavailableError } from '@cairn/core';
import { createAdapterKit } from '@cairn/core/adapter';
import { DEFAULT_MAX_PAYLOAD_BYTES } from './payload-limit.ts';

/** The package prefix of every message this adapter writes. */
export const ADAPTER = '@cairn/storage-indexeddb';

/** Messages of checks outside a store call's wrapper (`[@cairn/storage-indexeddb] run "id": …`). */
export const messages = createAdapterKit({ adapter: ADAPTER, defaultMaxPayloadBytes: DEFAULT_MAX_PAYLOAD_BYTES });

// Failures that the same call cannot overcome by trying again: the disk is full, a newer tab
// upgraded the schema, or a value cannot be stored at all.
const PERMANENT = new Set(['QuotaExceededError', 'VersionError', 'DataCloneError', 'NotFoundError', 'SecurityError']);

function errorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const name = (error as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

/** True when `error` is the browser telling us the origin's storage quota is used up. */
export function isQuotaError(error: unknown): boolean {
  return errorName(error) === 'QuotaExceededError';
}

/**
 * The Cairn error for a failure of an operation. Cairn errors pass through unchanged; anything else
 * becomes `StorageUnavailableError` with the original as `cause`.
 *
 * @param subject what failed, e.g. `run "run_01": append` or `listRuns`
 */
export function storageError(error: unknown, subject: string): Error {
  if (CairnError.is(error)) return error as Error;
  const name = errorName(error) ?? 'unknown error';
  if (name === 'QuotaExceededError') {
    return new StorageUnavailableError(
      `[${ADAPTER}] ${subject} failed: the browser's storage quota for this origin is used up (QuotaExceededError); nothing was written. Delete old runs or ask the user to free space`,
      { cause: error, retryable: false },
    );
  }
  if (name === 'VersionError') {
    return new StorageUnavailableError(
      `[${ADAPTER}] ${subject} failed: the database was upgraded by a newer version of the app in another tab; reload this tab`,
      { cause: error, retryable: false },
    );
  }
  return new StorageUnavailableError(`[${ADAPTER}] ${subject} failed: IndexedDB raised ${name}`, {
    cause: error,
    retryable: !PERMANENT.has(name),
  });
}
