/**
 * One lazily opened connection per store handle. The connection steps aside whenever another
 * connection needs a version change (a newer tab upgrading the schema, or `deleteIndexedDBStore`),
 * and is reopened on next use after that or after the browser terminated it.
 *
 * Every open checks that the database is still the one that held the runs (`data-loss.ts`). While
 * it is not, every `get` rejects with `IndexedDBDataLossError`, checking again first, so an
 * acknowledgement made in another tab takes effect here on the next call.
 */
import { StorageUnavailableError } from '@cairn/core';
import { findDataLoss, type IndexedDBDataLoss, IndexedDBDataLossError, openCairnDatabase } from './data-loss.ts';
import type { CairnConnection } from './schema.ts';
import { ADAPTER, storageError } from './storage-errors.ts';
import { createWitness } from './witness.ts';

/** The connection of one store handle. */
export interface Connection {
  /** The open connection, opening (or reopening) it when there is none. */
  get(): Promise<CairnConnection>;
  /** Forget `database` because it was closed under us; the next `get` opens a fresh one. */
  discard(database: CairnConnection): void;
  /** Close for good: every later `get` rejects with `StorageUnavailableError`. */
  close(): Promise<void>;
}

/** Options of `createConnection`. */
export interface ConnectionOptions {
  /** Called once per store handle when it finds the database lost. */
  onDataLoss?: (loss: IndexedDBDataLoss) => void;
}

/** A connection to the database `name`, opened on first use. */
export function createConnection(name: string, options: ConnectionOptions = {}): Connection {
  const witness = createWitness(name);
  let current: Promise<CairnConnection> | null = null;
  let opened: CairnConnection | null = null;
  let closed = false;
  let lost: IndexedDBDataLoss | null = null;
  let reported = false;

  function forget(opening: Promise<CairnConnection>): void {
    if (current !== opening) return;
    current = null;
    opened = null;
  }

  async function check(database: CairnConnection): Promise<void> {
    lost = await findDataLoss(database, name, witness);
    if (lost && !reported) {
      reported = true;
      try {
        options.onDataLoss?.(lost);
      } catch (error) {
        // The app's callback failing must not change what the store answers; the error is not lost.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  function open(): Promise<CairnConnection> {
    const opening: Promise<CairnConnection> = openCairnDatabase(name, {
      // Closing synchronously lets the other connection proceed at once; our transactions in
      // flight still finish.
      blocking: (database) => {
        database.close();
        forget(opening);
      },
      terminated: () => forget(opening),
    }).then(async (database) => {
      try {
        await check(database);
      } catch (error) {
        database.close();
        throw error;
      }
      return database;
    });
    opening.then(
      (database) => {
        if (current === opening) opened = database;
      },
      () => forget(opening),
    );
    return opening;
  }

  return {
    async get() {
      if (closed) throw new StorageUnavailableError(`[${ADAPTER}] database "${name}": the store is closed`);
      current ??= open();
      let database: CairnConnection;
      try {
        database = await current;
        if (lost) await check(database);
      } catch (error) {
        throw storageError(error, `database "${name}": open`);
      }
      if (lost) throw new IndexedDBDataLossError(lost);
      return database;
    },
    discard(database) {
      if (current !== null && opened === database) forget(current);
    },
    async close() {
      closed = true;
      const opening = current;
      current = null;
      opened = null;
      const database = await opening?.catch(() => null);
      database?.close();
    },
  };
}
