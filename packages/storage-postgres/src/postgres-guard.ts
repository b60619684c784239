/**
 * The per-call guard: every method of the store runs its body through `guard.call`, which checks
 * that the store is open, waits for the schema to be ready, and maps any failure to the contract's
 * errors with this package's prefix. Kept in one small place so it can give way to the shared
 * adapter kit (`@cairn/core/adapter`) without touching the store's data path.
 */
import { StorageUnavailableError } from '@cairn/core';
import { ADAPTER } from './postgres-adapter.ts';
import { toStoreError } from './postgres-errors.ts';

/** What `createCallGuard` returns. */
export interface CallGuard {
  /** Run `body` for `operation` (on `runId`, if any): closed check first, errors mapped. */
  call<T>(operation: string, runId: string | undefined, body: () => Promise<T>): Promise<T>;
  /** Mark the store closed: later calls reject with `StorageUnavailableError`. */
  close(): boolean;
}

/**
 * A guard whose calls first await `ready()` (the schema migration; retried on the next call when
 * it failed, so a store opened while the server was down recovers when it comes back).
 */
export function createCallGuard(describe: string, ready: () => Promise<void>): CallGuard {
  let closed = false;
  let readiness: Promise<void> | undefined;
  let isReady = false;

  function waitReady(): Promise<void> {
    readiness ??= ready().then(
      () => {
        isReady = true;
      },
      (error: unknown) => {
        readiness = undefined;
        throw error;
      },
    );
    return readiness;
  }

  return {
    async call(operation, runId, body) {
      if (closed) throw new StorageUnavailableError(`[${ADAPTER}] postgres store ${describe} is closed`);
      try {
        if (!isReady) await waitReady();
        return await body();
      } catch (error) {
        throw toStoreError(error, operation, runId);
      }
    },
    close() {
      const was = closed;
      closed = true;
      return !was;
    },
  };
}
