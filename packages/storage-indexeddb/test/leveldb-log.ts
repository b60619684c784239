/**
 * Tearing Chromium's IndexedDB log the way a SIGKILL can: LevelDB writes each log record as two
 * `write()` calls (the 7-byte header, then the payload), so a kill between them leaves a header
 * with no payload. The next start recovers (a record cut short at the end of the log is dropped)
 * but appends to that log (`reuse_logs`); the start after that reads the header's length over
 * the new records, fails the checksum (`paranoid_checks`) and deletes the origin's IndexedDB.
 * `tearLastRecord` and `appendTornHeader` produce that state on purpose, between two sessions.
 */
import { appendFileSync, readdirSync, statSync, truncateSync } from 'node:fs';
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

/** The LevelDB folder of `origin`'s IndexedDB (`http://127.0.0.1:<port>`) in the profile `userDataDir`. */
export function originFolder(userDataDir: string, origin: string): string {
  const { protocol, hostname, port } = new URL(origin);
  const suffix = `${protocol.replace(':', '')}_${hostname}_${port}.indexeddb.leveldb`;
  const folder = indexedDBFolders(userDataDir).find((path) => path.endsWith(suffix));
  if (!folder) throw new Error(`no IndexedDB folder for ${origin} in ${userDataDir}`);
  return folder;
}

function newestLog(folder: string): string {
  const file = readdirSync(folder)
    .filter((name) => name.endsWith('.log'))
    .map((name) => join(folder, name))
    .filter((path) => statSync(path).size > 0)
    .sort()
    .at(-1);
  if (!file) throw new Error(`no non-empty *.log in ${folder}`);
  return file;
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
  const file = newestLog(folder);
  const offsets = recordOffsets(await readFile(file));
  const last = offsets.at(-1);
  if (last === undefined) throw new Error(`tearLastRecord: ${file} holds no record`);
  truncateSync(file, last + HEADER);
  return { file, length: last + HEADER };
}

/**
 * Append to the newest log of `folder` the header of a record whose payload never came: exactly
 * what a SIGKILL between LevelDB's two `write()` calls leaves, with every earlier record (every
 * acknowledged commit) intact. The checksum is arbitrary: it is checked against bytes that a later
 * session writes, so it fails whatever its value.
 */
export function appendTornHeader(folder: string, payloadLength = 64): { file: string } {
  const file = newestLog(folder);
  const size = statSync(file).size;
  const left = BLOCK - (size % BLOCK);
  const padding = left < HEADER ? left : 0;
  const length = Math.min(payloadLength, (left < HEADER ? BLOCK : left) - HEADER);
  // checksum (4, any), length (2, little-endian), type 1 (a record in one piece).
  const header = [0xde, 0xad, 0xbe, 0xef, length & 0xff, length >> 8, 1];
  appendFileSync(file, new Uint8Array([...new Array<number>(padding).fill(0), ...header]));
  return { file };
}
