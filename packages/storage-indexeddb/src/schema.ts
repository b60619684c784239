/**
 * The database layout and its numbered migrations. A migration is appended, never edited: a tab
 * running older code opens the database at the version it knows, so every step must stay replayable
 * from any older version in the `upgrade` transaction.
 */
import type { EntryKind, RunRecord, RunStatus } from '@cairn/core';
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';

/** The opaque, possibly large fields of a run, stored apart from its header. */
export type TextField = 'input' | 'output' | 'error';

/**
 * A run header as stored: the run without its opaque texts. Every append rewrites the header (for
 * `lastSeq`), so it must stay small whatever the size of the run's input.
 */
export type RunHead = Omit<RunRecord, TextField>;

/**
 * A run header as the `runs` store holds it: with its `stamp`, moved by every write of the run
 * (ADR 0186), so a store handle can tell whether the header it kept is still the stored one. Absent
 * in headers written before schema version 3 (read as 0). Never part of a record handed out.
 */
export type StoredHead = RunHead & { stamp?: number };

/** One opaque text of a run; absent when the field is `null`. */
export interface StoredText {
  runId: string;
  field: TextField;
  text: string;
}

/** A journal entry as stored: the run id is part of the key so one key range reads a journal. */
export interface StoredEntry {
  runId: string;
  seq: number;
  kind: EntryKind;
  key: string;
  payload: string;
  createdAt: number;
}

/**
 * Who this database is: a random id minted when the database (or its `meta` store) was created.
 * The witness outside IndexedDB (`witness.ts`) holds the same id; a database recreated empty after
 * the browser wiped it has another one.
 */
export interface DatabaseIdentity {
  creationId: string;
}

/** The browser's own report of a wipe, kept until the app acknowledges it (`data-loss.ts`). */
export interface RecordedDataLoss {
  /** `IDBVersionChangeEvent.dataLoss` (Chromium: `'total'`). */
  dataLoss: string;
  /** `IDBVersionChangeEvent.dataLossMessage`, e.g. "IndexedDB (database was corrupt): checksum mismatch". */
  message: string;
}

/** The records of the `meta` store, by key. */
export interface MetaRecords {
  identity: DatabaseIdentity;
  'data-loss': RecordedDataLoss;
}

/** The typed shape of a Cairn IndexedDB database (for `idb`). */
export interface CairnDatabase extends DBSchema {
  runs: {
    key: string;
    value: StoredHead;
    indexes: {
      /** Listing order (newest first) without filters. */
      'by-created': [number, string];
      /** Listing by status, in listing order: resumers ask for `running` and `paused` runs. */
      'by-status': [RunStatus, number, string];
      /** Listing one workflow's runs, in listing order. */
      'by-workflow': [string, number, string];
      /** Cleanup of runs untouched since a given time. */
      'by-updated': number;
    };
  };
  texts: {
    key: [string, TextField];
    value: StoredText;
  };
  entries: {
    key: [string, number];
    value: StoredEntry;
  };
  meta: {
    key: keyof MetaRecords;
    value: MetaRecords[keyof MetaRecords];
  };
}

/** An open connection to a Cairn database. */
export type CairnConnection = IDBPDatabase<CairnDatabase>;

type UpgradeTransaction = IDBPTransaction<CairnDatabase, StoreNames<CairnDatabase>[], 'versionchange'>;
type Migration = (database: CairnConnection, transaction: UpgradeTransaction) => void;

const migrations: readonly Migration[] = [
  // 1: run headers with their listing indexes, run texts keyed [runId, field], entries keyed
  // [runId, seq].
  (database) => {
    const runs = database.createObjectStore('runs', { keyPath: 'runId' });
    runs.createIndex('by-created', ['createdAt', 'runId']);
    runs.createIndex('by-status', ['status', 'createdAt', 'runId']);
    runs.createIndex('by-workflow', ['workflow', 'createdAt', 'runId']);
    runs.createIndex('by-updated', 'updatedAt');
    database.createObjectStore('texts', { keyPath: ['runId', 'field'] });
    database.createObjectStore('entries', { keyPath: ['runId', 'seq'] });
  },
  // 2: the database's identity (and a wipe the browser reported), out-of-line keys. A database
  // upgraded from 1 gets an identity here too: it is adopted as the one its witness vouches for.
  (database, transaction) => {
    database.createObjectStore('meta');
    const identity: DatabaseIdentity = { creationId: crypto.randomUUID() };
    void transaction.objectStore('meta').put(identity, 'identity');
  },
  // 3: run headers carry a stamp (ADR 0186). No data changes: headers without one read as stamp 0.
  // The version moves so that a tab still running older code, which would copy a header's stamp
  // into its own writes without moving it, can no longer open the database (it is told to reload).
  () => {},
];

/** The schema version this code writes: the number of migrations. */
export const SCHEMA_VERSION = migrations.length;

/** What Chromium adds to the `upgradeneeded` event of the first open after it wiped the origin. */
interface DataLossEvent {
  dataLoss?: unknown;
  dataLossMessage?: unknown;
}

/**
 * Bring a database from `oldVersion` to `SCHEMA_VERSION` inside the `upgrade` transaction. When
 * the browser says in `event` that it lost the database's data, that is recorded in the same
 * transaction, so every later opener (another tab, another store) sees it until it is
 * acknowledged, not only the one opener the browser told.
 */
export function upgradeSchema(
  database: CairnConnection,
  oldVersion: number,
  transaction: UpgradeTransaction,
  event?: Event,
): void {
  for (let version = oldVersion; version < SCHEMA_VERSION; version++) migrations[version]?.(database, transaction);
  const { dataLoss, dataLossMessage } = (event ?? {}) as DataLossEvent;
  if (typeof dataLoss === 'string' && dataLoss !== 'none') {
    const recorded: RecordedDataLoss = { dataLoss, message: typeof dataLossMessage === 'string' ? dataLossMessage : '' };
    void transaction.objectStore('meta').put(recorded, 'data-loss');
  }
}
