/**
 * The stores under test, opened the way users open them, each with a way to read how many bytes
 * it occupies on disk. SQLite is measured after a `wal_checkpoint(TRUNCATE)` from a second
 * connection, so the figure is the database file itself and not WAL frames waiting to be copied.
 */
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createMemoryStore, type DurableStore } from '@cairn/core';
import { createFileStore, createSqliteStore } from '@cairn/storage-node';
import { apparentSize, tempDir } from './temp-dir.ts';

/** The stores every scenario knows. */
export type StoreKind = 'memory' | 'sqlite-full' | 'sqlite-normal' | 'file';

/** How each kind is shown in tables. */
export const STORE_LABELS: Record<StoreKind, string> = {
  memory: 'memory',
  'sqlite-full': 'SQLite (WAL, synchronous=FULL)',
  'sqlite-normal': 'SQLite (WAL, synchronous=NORMAL)',
  file: 'file (append + fdatasync)',
};

/** An open store and where it lives. */
export interface StoreUnderTest {
  kind: StoreKind;
  store: DurableStore;
  /** Database file or store directory; `null` for memory. */
  path: string | null;
  /** Bytes on disk now (db + wal after a checkpoint; the directory's files for the file store). */
  diskBytes(): number;
  /** `diskBytes` less the zeros the file store allocates ahead at the end of journals. */
  usedBytes(): number;
  close(): Promise<void>;
}

/** Checkpoint a SQLite database from a second connection and return db + wal bytes. */
export function sqliteDiskBytes(path: string): number {
  const db = new DatabaseSync(path);
  try {
    db.exec('PRAGMA busy_timeout = 5000');
    db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get();
  } finally {
    db.close();
  }
  return apparentSize(path) + apparentSize(`${path}-wal`);
}

/** Zero bytes at the end of each run's journal under `runsDir` (space the file store allocated ahead). */
function allocatedAhead(runsDir: string): number {
  let zeros = 0;
  for (const runId of existsSync(runsDir) ? readdirSync(runsDir) : []) {
    const path = join(runsDir, runId, 'journal');
    if (!existsSync(path)) continue;
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const tail = Buffer.alloc(Math.min(size, 2 << 20));
      readSync(fd, tail, 0, tail.length, size - tail.length);
      let end = tail.length;
      while (end > 0 && tail[end - 1] === 0) end--;
      zeros += tail.length - end;
    } finally {
      closeSync(fd);
    }
  }
  return zeros;
}

/** Open a fresh, empty store of `kind` in its own temp directory. */
export function openStore(kind: StoreKind, label: string = kind): StoreUnderTest {
  if (kind === 'memory') {
    const store = createMemoryStore();
    return { kind, store, path: null, diskBytes: () => 0, usedBytes: () => 0, close: () => store.close() };
  }
  if (kind === 'file') {
    const dir = join(tempDir(label), 'store');
    const store = createFileStore({ dir });
    return {
      kind,
      store,
      path: dir,
      diskBytes: () => apparentSize(dir),
      usedBytes: () => apparentSize(dir) - allocatedAhead(join(dir, 'runs')),
      close: () => store.close(),
    };
  }
  const path = join(tempDir(label), 'cairn.db');
  const store = createSqliteStore({ path, synchronous: kind === 'sqlite-full' ? 'full' : 'normal' });
  const diskBytes = (): number => sqliteDiskBytes(path);
  return { kind, store, path, diskBytes, usedBytes: diskBytes, close: () => store.close() };
}
