/**
 * The payload limit. Every opaque string (input, output, error, entry payload) is measured on its
 * own in UTF-8 bytes by core's `assertPayloadSizes`, before a transaction opens, so a refused call
 * writes nothing.
 */
import { InvalidArgumentError } from '@cairn/core';
import { ADAPTER } from './storage-errors.ts';

/**
 * The default limit: 32 MiB per string. Chromium, Firefox and Safari store a value of that size in
 * one record (the Chromium test suite writes one), and a run record can hold three of them.
 */
export const DEFAULT_MAX_PAYLOAD_BYTES = 32 * 1024 * 1024;

/** The effective limit for the option given to `createIndexedDBStore`. */
export function resolveMaxPayloadBytes(option: number | undefined): number {
  const maxPayloadBytes = option ?? DEFAULT_MAX_PAYLOAD_BYTES;
  if (!Number.isSafeInteger(maxPayloadBytes) || maxPayloadBytes < 1) {
    throw new InvalidArgumentError(`[${ADAPTER}] maxPayloadBytes must be a positive integer, got ${maxPayloadBytes}`);
  }
  return maxPayloadBytes;
}
