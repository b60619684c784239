/**
 * One lazily opened connection per store handle. The connection steps aside whenever another
 * connection needs a version change (a newer tab upgrading the schema, or `deleteIndexedDBStore`),
 * and is reopened on next use after that or after the browser terminated it.
 */
import { StorageUnavailableError } from '@cairn/core';
import { openDB } from 'idb';
import { type CairnConnection, type CairnDatabase, SCHEMA_VERSION, upgradeSchema } from './schema.ts';
import { ADAPTER, storageError } from './storage-errors.ts';

/** The connection of one store handle. */
export interface Connection {
  /** The open connection, opening (or reopening) it when there is none. */
  get(): Promise<CairnConnection>;
  /** Forget `database` because it was closed under us; the next `get` opens a fresh one. */
  discard(database: CairnConnection): void;
  /** Close for good: every later `get` rejects with `StorageUnavailableError`. */
  close(): Promise<void>;
}

/** A connection to the database `name`, opened on first use. */
export function createConnection(name: string): Connection {
  let current: Promise<CairnConnection> | null = null;
  let opened: CairnConnection | null = null;
  let closed = false;

  function forget(opening: Promise<CairnConnection>): void {
    if (current !== opening) return;
    current = null;
    opened = null;
  }

  function open(): Promise<CairnConnection> {
    const opening: Promise<CairnConnection> = openDB<CairnDatabase>(name, SCHEMA_VERSION, {
      upgrade: (database, oldVersion, _newVersion, transaction) => upgradeSchema(database, oldVersion, transaction),
      // Another connection waits for us to close before it can upgrade or delete the database.
      // Closing synchronously lets it proceed at once; our transactions in flight still finish.
      blocking: (_currentVersion, _blockedVersion, event) => {
        (event.target as IDBDatabase).close();
        forget(opening);
      },
      terminated: () => forget(opening),
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
      try {
        return await current;
      } catch (error) {
        throw storageError(error, `database "${name}": open`);
      }
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
