/**
 * Run headers this connection knows to be current, so that a writer that is the only one writing
 * (the usual case: one process drives a run) skips re-reading the run row in every append.
 *
 * Invariants:
 * - the cache is only consulted inside a write transaction (`BEGIN IMMEDIATE`), where no other
 *   connection can commit, after `PRAGMA data_version` says no other connection committed since
 *   the cache was last valid; any foreign commit empties it;
 * - it holds copies of committed state only: a write transaction stages the headers it wrote, and
 *   they are published after COMMIT succeeded (or dropped on rollback); inside the transaction a
 *   staged header is the current one (a group commit runs several calls in one transaction);
 * - it is bounded, and skips records with large opaque fields, so it never holds much memory.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { RunRecord } from '@cairn/core';

const CAPACITY = 256;
// Records whose input, output and error exceed this are read from the database every time.
const MAX_CACHED_TEXT = 256 * 1024;

/** Headers known current on one connection. */
export interface HeaderCache {
  /** Inside a write transaction: the cached header of `runId`, if still valid. */
  lookup(runId: string): RunRecord | undefined;
  /** After a successful commit (or a read inside the transaction): remember `record`. */
  remember(record: RunRecord): void;
  /** Inside a write transaction: `record` is what the transaction wrote (current until it ends). */
  stage(record: RunRecord): void;
  /** The transaction committed: remember every staged header. */
  publish(): void;
  /** The transaction (or one call's savepoint in it) rolled back: forget the staged headers. */
  discard(): void;
  forget(runIds: readonly string[]): void;
}

/** A header cache for connection `db`. */
export function createHeaderCache(db: DatabaseSync): HeaderCache {
  const dataVersion = db.prepare('PRAGMA data_version');
  const records = new Map<string, RunRecord>();
  const staged = new Map<string, RunRecord>();
  let validAt = -1;

  function remember(record: RunRecord): void {
    const text = record.input.length + (record.output?.length ?? 0) + (record.error?.length ?? 0);
    records.delete(record.runId);
    if (validAt === -1 || text > MAX_CACHED_TEXT) return;
    records.set(record.runId, record);
    if (records.size > CAPACITY) records.delete(records.keys().next().value as string);
  }

  return {
    lookup(runId) {
      const written = staged.get(runId);
      if (written) return written;
      const version = (dataVersion.get() as { data_version: number }).data_version;
      if (version !== validAt) {
        records.clear();
        validAt = version;
        return undefined;
      }
      const record = records.get(runId);
      if (record) {
        records.delete(runId);
        records.set(runId, record);
      }
      return record;
    },
    remember,
    stage(record) {
      staged.set(record.runId, record);
    },
    publish() {
      for (const record of staged.values()) remember(record);
      staged.clear();
    },
    discard() {
      staged.clear();
    },
    forget(runIds) {
      for (const runId of runIds) {
        records.delete(runId);
        staged.delete(runId);
      }
    },
  };
}
