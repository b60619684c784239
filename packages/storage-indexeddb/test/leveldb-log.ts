/**
 * Tearing Chromium's IndexedDB log the way a SIGKILL can: LevelDB writes each log record as two
 * `write()` calls (the 7-byte header, then the payload), so a kill between them leaves a header
 * with no payload. `tearLastRecord` produces that state on purpose, between two browser sessions.
 */
import { readdirSync, statSync, truncateSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What Chromium writes to stderr when it deleted an origin's corrupt IndexedDB (backing_store.cc). */
export const CHROMIUM_WIPE_LINE = 'IndexedDB recovering from a corrupted (and deleted) database.';

const BLOCK = 32 * 1024;
const HEADER = 7;

/** The LevelDB folders of every origin's IndexedDB in the Chromium profile `userDataDir`. */
export function indexedDBFolders(userDataDir: string): string[] {
  const root = join(userDataDir, 'Default', 'IndexedDB');
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  return names.filter((name) => name.endsWith('.indexeddb.leveldb')).map((name) => join(root, name));
}

/** The offsets of the records of a LevelDB log (a `*.log` file), in order. */
export function recordOffsets(log: Uint8Array): number[] {
  const offsets: number[] = [];
  let offset = 0;
  while (offset + HEADER <= log.length) {
    const left = BLOCK - (offset % BLOCK);
    // Fewer than 7 bytes left in a block are a zero trailer; the next record starts a block.
    if (left < HEADER) {
      offset += left;
      continue;
    }
    const length = (log[offset + 4] ?? 0) | ((log[offset + 5] ?? 0) << 8);
    const type = log[offset + 6] ?? 0;
    if (type === 0 && length === 0) break;
    offsets.push(offset);
    offset += HEADER + length;
  }
  return offsets;
}

/**
 * Truncate the newest log of the LevelDB folder `folder` to its last record's header: the bytes up
 * to and including that header stay, its payload goes. Returns the file and its new length.
 */
export async function tearLastRecord(folder: string): Promise<{ file: string; length: number }> {
  const logs = readdirSync(folder)
    .filter((name) => name.endsWith('.log'))
    .map((name) => join(folder, name))
    .filter((file) => statSync(file).size > 0)
    .sort();
  const file = logs.at(-1);
  if (!file) throw new Error(`tearLastRecord: no non-empty *.log in ${folder}`);
  const offsets = recordOffsets(await readFile(file));
  const last = offsets.at(-1);
  if (last === undefined) throw new Error(`tearLastRecord: ${file} holds no record`);
  truncateSync(file, last + HEADER);
  return { file, length: last + HEADER };
}
