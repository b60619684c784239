/**
 * The baselines: each backend doing one durable write per step of the same bytes, with nothing of
 * ours in between.
 * - SQLite: one single-row INSERT, autocommitted, into a plain rowid table of the journal's columns,
 *   same pragmas as the store (WAL, synchronous FULL or NORMAL), via `node:sqlite`.
 * - Files: the step's bytes written at the end of a file, then `fdatasync`. Two variants (ADR 0071):
 *   a plain append that grows the file (what a simple log does), and a write into space allocated
 *   ahead (what our file store does; growing a file makes ext4 commit metadata on every sync).
 */
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { NewEntry } from '@cairn/core';
import { tempDir } from './temp-dir.ts';

/** One raw durable write per call. */
export interface RawBackend {
  write(index: number): void;
  close(): void;
}

/** Raw SQLite: INSERT of `entries[i % n]` per call, with the store's pragmas. */
export function rawSqlite(synchronous: 'FULL' | 'NORMAL', entries: readonly NewEntry[]): RawBackend {
  const db = new DatabaseSync(join(tempDir(`raw-sqlite-${synchronous.toLowerCase()}`), 'raw.db'));
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous};
    CREATE TABLE entries (id INTEGER PRIMARY KEY, run_id TEXT, seq INTEGER, kind TEXT, key TEXT, payload TEXT, created_at INTEGER)`);
  const insert = db.prepare('INSERT INTO entries (run_id, seq, kind, key, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  let seq = 0;
  return {
    write(index) {
      const entry = entries[index % entries.length]!;
      insert.run('raw-run', ++seq, entry.kind, entry.key, entry.payload, entry.createdAt);
    },
    close: () => db.close(),
  };
}

/**
 * Raw SQLite with a run header: per call, one transaction of the entry INSERT and an UPDATE of a
 * header row's last_seq, updated_at and step columns — the least any store keeping a run header
 * beside its journal writes per step (the floor of the store's own design).
 */
export function rawSqliteWithHeader(synchronous: 'FULL' | 'NORMAL', entries: readonly NewEntry[]): RawBackend {
  const db = new DatabaseSync(join(tempDir(`raw-sqlite-header-${synchronous.toLowerCase()}`), 'raw.db'));
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous};
    CREATE TABLE entries (run_id TEXT, seq INTEGER, kind TEXT, key TEXT, payload TEXT, created_at INTEGER, PRIMARY KEY (run_id, seq));
    CREATE TABLE runs (run_id TEXT PRIMARY KEY, last_seq INTEGER, step_index INTEGER, step_name TEXT, updated_at INTEGER);
    INSERT INTO runs VALUES ('raw-run', 0, 0, NULL, 0)`);
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const insert = db.prepare('INSERT INTO entries (run_id, seq, kind, key, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  const header = db.prepare('UPDATE runs SET last_seq = ?, step_index = ?, step_name = ?, updated_at = ? WHERE run_id = ?');
  let seq = 0;
  return {
    write(index) {
      const entry = entries[index % entries.length]!;
      begin.run();
      insert.run('raw-run', ++seq, entry.kind, entry.key, entry.payload, entry.createdAt);
      header.run(seq, index, 's', entry.createdAt, 'raw-run');
      commit.run();
    },
    close: () => db.close(),
  };
}

const ZEROS = Buffer.alloc(1 << 20);

/** Raw file: `records[i % n]` written at the end of the data, then fdatasync. */
export function rawFile(mode: 'append' | 'preallocated', records: readonly Uint8Array[]): RawBackend {
  const fd = openSync(join(tempDir(`raw-file-${mode}`), 'journal'), 'w+');
  let position = 0;
  let allocated = 0;
  function allocateAhead(end: number): void {
    // The file store's policy: as much as the journal holds, between 16 KiB and 1 MiB, flushed by
    // the same fdatasync as the record that needed it.
    const ahead = Math.min(1 << 20, Math.max(16 << 10, end));
    for (let at = end; at < end + ahead; at += ZEROS.length)
      writeSync(fd, ZEROS, 0, Math.min(ZEROS.length, end + ahead - at), at);
    allocated = end + ahead;
  }
  return {
    write(index) {
      const record = records[index % records.length]!;
      position += writeSync(fd, record, 0, record.length, position);
      if (mode === 'preallocated' && position > allocated) allocateAhead(position);
      fdatasyncSync(fd);
    },
    close: () => closeSync(fd),
  };
}
