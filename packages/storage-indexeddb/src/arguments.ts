/**
 * Argument checks of the store beyond core's shared ones. They run before any transaction opens,
 * so a refused call never touches the database.
 */
import { ENTRY_KINDS, InvalidArgumentError, type NewEntry, type RunPatch } from '@cairn/core';
import { messages } from './storage-errors.ts';

/**
 * Throw unless each of `fields` is a string, `null` or absent. Payloads are opaque, but anything
 * other than a string would be structured-cloned into the database as is and come back as
 * something the codec never wrote.
 */
export function assertStrings(runId: string, fields: Record<string, unknown>): void {
  for (const [field, value] of Object.entries(fields)) {
    if (value !== undefined && value !== null && typeof value !== 'string') {
      throw new InvalidArgumentError(messages.message(runId, `${field} must be an encoded string, got ${typeof value}`));
    }
  }
}

/** Throw unless `patch` is absent or an object with a numeric `updatedAt` and string texts. */
export function assertPatch(runId: string, patch: RunPatch | undefined): void {
  if (patch === undefined) return;
  if (typeof patch !== 'object' || patch === null || !Number.isFinite(patch.updatedAt)) {
    throw new InvalidArgumentError(messages.message(runId, `a patch needs a numeric updatedAt`));
  }
  assertStrings(runId, { input: patch.input, output: patch.output, error: patch.error });
}

/** Throw unless every entry has a known kind, a string key and payload, and a numeric time. */
export function assertEntries(runId: string, entries: readonly NewEntry[]): void {
  entries.forEach((entry, index) => {
    if (typeof entry !== 'object' || entry === null || !ENTRY_KINDS.includes(entry.kind)) {
      throw new InvalidArgumentError(messages.message(runId, `entry ${index} has no valid kind`));
    }
    if (typeof entry.key !== 'string' || !Number.isFinite(entry.createdAt)) {
      throw new InvalidArgumentError(messages.message(runId, `entry ${index} needs a string key and a numeric createdAt`));
    }
    assertStrings(runId, { [`payload of entry ${index}`]: entry.payload });
    if (entry.payload === null || entry.payload === undefined) {
      throw new InvalidArgumentError(messages.message(runId, `entry ${index} has no payload`));
    }
  });
}

/** Throw unless `updatedBefore` is absent or a number (IndexedDB cannot range over NaN). */
export function assertUpdatedBefore(value: number | undefined, what: string): void {
  if (value !== undefined && (typeof value !== 'number' || Number.isNaN(value))) {
    throw new InvalidArgumentError(messages.message(undefined, `${what}: updatedBefore must be a number`));
  }
}
