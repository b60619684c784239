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

/** The typed shape of a Cairn IndexedDB database (for `idb`). */
export interface CairnDatabase extends DBSchema {
  runs: {
    key: string;
    value: RunHead;
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
];

/** The schema version this code writes: the number of migrations. */
export const SCHEMA_VERSION = migrations.length;

/** Bring a database from `oldVersion` to `SCHEMA_VERSION` inside the `upgrade` transaction. */
export function upgradeSchema(database: CairnConnection, oldVersion: number, transaction: UpgradeTransaction): void {
  for (let version = oldVersion; version < SCHEMA_VERSION; version++) migrations[version]?.(database, transaction);
}
