/**
 * The witness of a database: a small file outside IndexedDB, in the origin private file system
 * (OPFS), saying "database `name` exists, and its identity is `creationId`". Chromium's recovery
 * from a corrupt IndexedDB deletes the origin's IndexedDB backing store and nothing else, so the
 * witness outlives the wipe and tells a recreated, empty database from the one that held the runs.
 *
 * Where OPFS is missing or refused (happy-dom, private windows of some browsers, Safari before
 * `createWritable`), every method reports "unavailable" and the store relies on the browser's
 * own signal alone.
 */

/** The folder of the witnesses in the origin private file system. */
const FOLDER = 'cairn-indexeddb';

/** The witness file of one database. */
export interface Witness {
  /** The creation id the witness holds; `null` when there is none; `undefined` when OPFS is unavailable. */
  read(): Promise<string | null | undefined>;
  /** Vouch for the database with `creationId`. Best effort: false when it could not be written. */
  write(creationId: string): Promise<boolean>;
  /** Forget the database (it was deleted on purpose). Best effort. */
  remove(): Promise<void>;
}

function errorName(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
}

// Database names are any string; file names are not (no "/", no "..", bounded length).
async function fileName(name: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(name)));
  return `${Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('')}.json`;
}

async function folder(): Promise<FileSystemDirectoryHandle | undefined> {
  const storage = globalThis.navigator?.storage;
  if (
    typeof storage?.getDirectory !== 'function' ||
    typeof globalThis.FileSystemFileHandle?.prototype?.createWritable !== 'function' ||
    typeof globalThis.crypto?.subtle?.digest !== 'function'
  ) {
    return undefined;
  }
  try {
    return await (await storage.getDirectory()).getDirectoryHandle(FOLDER, { create: true });
  } catch {
    return undefined;
  }
}

/** The witness of the database `name`. */
export function createWitness(name: string): Witness {
  return {
    async read() {
      const directory = await folder();
      if (!directory) return undefined;
      try {
        const file = await (await directory.getFileHandle(await fileName(name))).getFile();
        const { creationId } = JSON.parse(await file.text()) as { creationId?: unknown };
        // A file that says nothing usable is as good as none: it gets rewritten.
        return typeof creationId === 'string' ? creationId : null;
      } catch (error) {
        if (errorName(error) === 'NotFoundError' || error instanceof SyntaxError) return null;
        return undefined;
      }
    },
    async write(creationId) {
      const directory = await folder();
      if (!directory) return false;
      try {
        const handle = await directory.getFileHandle(await fileName(name), { create: true });
        // createWritable writes to a swap file that replaces the witness on close: never torn.
        const writable = await handle.createWritable();
        await writable.write(JSON.stringify({ database: name, creationId }));
        await writable.close();
        return true;
      } catch {
        return false;
      }
    },
    async remove() {
      const directory = await folder();
      try {
        await directory?.removeEntry(await fileName(name));
      } catch {
        // Already gone, or OPFS refused: a stale witness only makes a later open ask for an acknowledgement.
      }
    },
  };
}
