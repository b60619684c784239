/**
 * The one way this adapter talks to IndexedDB: a single transaction per operation.
 *
 * Invariants kept here:
 * - the body awaits only requests of its own transaction, never a foreign promise, so the
 *   transaction cannot auto-commit half way (idb README, "Transaction lifetime");
 * - a result is returned only after `tx.done`: for `readwrite` transactions, opened with
 *   `durability: 'strict'`, that is after the browser reports the commit flushed;
 * - a body that throws aborts the transaction, so a lost compare-and-set writes nothing;
 * - a body that throws `Retracted` aborts it the same way, and `inTransaction` rejects with that
 *   same `Retracted`, so the caller can tell "nothing written, on purpose" from a failure.
 */
import { CairnError } from '@cairn/core';
import type { IDBPTransaction, StoreNames } from 'idb';
import type { Connection } from './connection.ts';
import type { CairnDatabase } from './schema.ts';
import { storageError } from './storage-errors.ts';

type Names = ArrayLike<StoreNames<CairnDatabase>>;

/** A transaction over the stores `N` in `mode`. */
export type Transaction<N extends Names, M extends IDBTransactionMode> = IDBPTransaction<CairnDatabase, N, M>;

/**
 * Thrown by a transaction's body to abort it on purpose, e.g. when a write issued ahead of its
 * check turns out to rest on stale data: every request of the transaction is undone.
 */
export class Retracted extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'Retracted';
  }
}

function errorName(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
}

/**
 * Run `body` in one transaction and resolve with its result once the transaction has completed.
 *
 * @param subject what is being done, for error messages (`run "run_01": append`)
 */
export async function inTransaction<const N extends Names, M extends 'readonly' | 'readwrite', T>(
  connection: Connection,
  stores: N,
  mode: M,
  subject: string,
  body: (transaction: Transaction<N, M>) => Promise<T>,
): Promise<T> {
  let transaction: Transaction<N, M> | undefined;
  // A connection can be closed under us between `get` and `transaction` (another tab asked for a
  // version change). Nothing has happened yet at that point, so one retry on a fresh one is safe.
  for (let attempt = 0; transaction === undefined; attempt++) {
    const database = await connection.get();
    try {
      transaction = database.transaction(stores, mode, mode === 'readwrite' ? { durability: 'strict' } : undefined);
    } catch (error) {
      connection.discard(database);
      if (attempt > 0 || errorName(error) !== 'InvalidStateError') throw storageError(error, subject);
    }
  }
  try {
    const result = await body(transaction);
    await transaction.done;
    return result;
  } catch (error) {
    try {
      transaction.abort();
    } catch {
      // Already committed or aborted by the browser.
    }
    await transaction.done.catch(() => {});
    if (CairnError.is(error) || error instanceof Retracted) throw error;
    // A request fails with AbortError when the browser aborted its transaction; the reason
    // (QuotaExceededError, a disk error) sits on the transaction.
    throw storageError(transaction.error ?? error, subject);
  }
}
