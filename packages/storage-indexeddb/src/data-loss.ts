/**
 * Noticing that the browser lost a database, and refusing to carry on as if nothing happened.
 * Chromium deletes an origin's whole IndexedDB when it finds it corrupt at startup (a log record
 * torn by a crash) and says so once, on the first `open()` of any database of the origin. A store
 * that missed that one signal would answer `null` for runs that completed, and an app that starts
 * runs by idempotency key would run their side effects again.
 *
 * Invariants kept here:
 * - a loss is reported when the browser's signal was recorded in the database (see `schema.ts`)
 *   or when the witness (see `witness.ts`) vouches for another database than the one found;
 * - a loss stays reported, to every opener, until `acknowledgeIndexedDBDataLoss` is called;
 * - the witness is written only after the database's identity is flushed, so a witness never
 *   names a database that a crash could still take back.
 */
import { CairnError, InvalidArgumentError, StorageUnavailableError } from '@cairn/core';
import { openDB } from 'idb';
import { type CairnConnection, type CairnDatabase, type DatabaseIdentity, SCHEMA_VERSION, upgradeSchema } from './schema.ts';
import { ADAPTER, storageError } from './storage-errors.ts';
import { createWitness, type Witness } from './witness.ts';

/** What the store knows about a lost database. */
export interface IndexedDBDataLoss {
  /** The database name. */
  database: string;
  /**
   * `'browser'`: the browser reported the loss when the database was opened (Chromium's
   * `dataLoss: 'total'`). `'witness'`: the database's witness in the origin private file system
   * vouches for a database that is no longer there; another opener consumed the browser's signal.
   */
  detectedBy: 'browser' | 'witness';
  /** The browser's `dataLossMessage` when it gave one, e.g. "IndexedDB (database was corrupt): checksum mismatch". */
  browserMessage?: string;
}

/**
 * The error of every store call on a database the browser lost, until the app acknowledges the
 * loss with `acknowledgeIndexedDBDataLoss(name)`. Not retryable: trying again finds the same
 * empty database. Its `code` is `'storage-unavailable'`; tell it apart with `isIndexedDBDataLossError`.
 */
export class IndexedDBDataLossError extends StorageUnavailableError {
  /** The facts of the loss. */
  readonly dataLoss: IndexedDBDataLoss;
  constructor(dataLoss: IndexedDBDataLoss) {
    const found =
      dataLoss.detectedBy === 'browser'
        ? `the browser deleted it${dataLoss.browserMessage ? ` and reported "${dataLoss.browserMessage}"` : ''}`
        : "its witness in the origin private file system says it held runs, but IndexedDB now holds a different, recreated database (the browser's own report went to another opener)";
    super(
      `[${ADAPTER}] data loss: database "${dataLoss.database}" was lost: ${found}. Its runs and journals are gone; nothing is recreated over them until the app calls acknowledgeIndexedDBDataLoss("${dataLoss.database}")`,
      { retryable: false },
    );
    this.name = 'IndexedDBDataLossError';
    this.dataLoss = dataLoss;
  }
}

/** True when `value` is the data-loss error of this package (from any copy of it). */
export function isIndexedDBDataLossError(value: unknown): value is IndexedDBDataLossError {
  return (
    CairnError.is(value, 'storage-unavailable') &&
    typeof (value as { dataLoss?: unknown }).dataLoss === 'object' &&
    (value as { dataLoss?: unknown }).dataLoss !== null
  );
}

/**
 * Whether the open database `database`, named `name`, is a loss: the browser's recorded signal,
 * or a witness that vouches for another database. A database the witness does not know yet is
 * adopted: its identity is flushed, then the witness written.
 */
export async function findDataLoss(database: CairnConnection, name: string, witness: Witness): Promise<IndexedDBDataLoss | null> {
  const tx = database.transaction('meta', 'readonly');
  const [identity, recorded] = await Promise.all([tx.store.get('identity'), tx.store.get('data-loss'), tx.done]);
  if (recorded && 'message' in recorded) {
    return { database: name, detectedBy: 'browser', ...(recorded.message ? { browserMessage: recorded.message } : {}) };
  }
  const creationId = identity && 'creationId' in identity ? identity.creationId : undefined;
  const witnessed = await witness.read();
  if (witnessed === undefined || creationId === undefined) return null;
  if (witnessed === null) {
    await vouch(database, { creationId }, witness);
    return null;
  }
  return witnessed === creationId ? null : { database: name, detectedBy: 'witness' };
}

// A strict write of the identity flushes everything before it (the creation of the database in
// the upgrade transaction, which may have been relaxed); only then may the witness name it.
async function vouch(database: CairnConnection, identity: DatabaseIdentity, witness: Witness): Promise<void> {
  const tx = database.transaction('meta', 'readwrite', { durability: 'strict' });
  await Promise.all([tx.store.put(identity, 'identity'), tx.done]);
  await witness.write(identity.creationId);
}

/** What an open connection is told about other connections and the browser. */
export interface OpenCallbacks {
  /** Another connection waits for this one to close before it can upgrade or delete the database. */
  blocking: (database: IDBDatabase) => void;
  /** The browser closed the connection (site data cleared, disk error). */
  terminated?: () => void;
}

/** Open the database `name` at this code's schema version, recording a loss the browser reports. */
export function openCairnDatabase(name: string, callbacks: OpenCallbacks): Promise<CairnConnection> {
  return openDB<CairnDatabase>(name, SCHEMA_VERSION, {
    upgrade: (database, oldVersion, _newVersion, transaction, event) => upgradeSchema(database, oldVersion, transaction, event),
    blocking: (_currentVersion, _blockedVersion, event) => callbacks.blocking(event.target as IDBDatabase),
    ...(callbacks.terminated ? { terminated: callbacks.terminated } : {}),
  });
}

/**
 * Accept that the database `name` lost its runs, and use it again. The database as it is now
 * (empty after a wipe, or holding only what was written since) becomes the one its witness vouches
 * for, and the browser's recorded report is cleared. Every store on `name`, in every tab, works
 * again from its next call. Call it after telling the user, or after rebuilding what the app needs
 * from another source: runs started again by idempotency key will run their steps again.
 *
 * @example
 * const store = createIndexedDBStore({ name: 'my-app-runs', onDataLoss: (loss) => showLossBanner(loss) });
 * // … once the user has seen the banner:
 * await acknowledgeIndexedDBDataLoss('my-app-runs');
 */
export async function acknowledgeIndexedDBDataLoss(name: string): Promise<void> {
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidArgumentError(`[${ADAPTER}] acknowledgeIndexedDBDataLoss needs a non-empty database name`);
  }
  let database: CairnConnection | undefined;
  try {
    database = await openCairnDatabase(name, { blocking: (blocking) => blocking.close() });
    const tx = database.transaction('meta', 'readwrite', { durability: 'strict' });
    const identity = await tx.store.get('identity');
    const creationId = identity && 'creationId' in identity ? identity.creationId : crypto.randomUUID();
    await Promise.all([tx.store.delete('data-loss'), tx.store.put({ creationId }, 'identity'), tx.done]);
    const witness = createWitness(name);
    // A witness left naming the lost database would keep every store refusing; without one, the
    // next open adopts the database as it is.
    if (!(await witness.write(creationId))) await witness.remove();
  } catch (error) {
    throw storageError(error, `database "${name}": acknowledgeIndexedDBDataLoss`);
  } finally {
    database?.close();
  }
}
