/**
 * Errors of the `cairn` CLI and the exit code each maps to (ADR 0093):
 * 0 ok, 1 runtime failure, 2 usage error, 3 not found (store, run, approval).
 */
import { CairnError, InvalidArgumentError, StorageUnavailableError } from '@cairn/core';

/** Exit codes of `cairn`. */
export const EXIT = { ok: 0, failure: 1, usage: 2, notFound: 3 } as const;

/** A command line the CLI cannot act on (unknown command or option, bad value). Exit code 2. */
export class UsageError extends InvalidArgumentError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(`[@cairn/storage-node] ${message}`, options);
    this.name = 'UsageError';
  }
}

/** The store the command names does not exist (and is not created). Exit code 3. */
export class StoreNotFoundError extends StorageUnavailableError {
  constructor(message: string) {
    super(`[@cairn/storage-node] ${message}`);
    this.name = 'StoreNotFoundError';
  }
}

const NOT_FOUND = new Set(['run-not-found', 'approval-not-found']);

/** The exit code for an error a command threw. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError || CairnError.is(error, 'invalid-run-id') || CairnError.is(error, 'workflow-not-found'))
    return EXIT.usage;
  if (error instanceof StoreNotFoundError || (CairnError.is(error) && NOT_FOUND.has(error.code))) return EXIT.notFound;
  return EXIT.failure;
}
