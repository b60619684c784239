/**
 * Where the file store keeps things under its directory:
 *
 *   cairn-store.json          format marker (refuses a directory written by a newer format)
 *   runs/<runId>/journal      the run's append-only journal: the truth (ADR 0031)
 *   runs/<runId>/header-a|b   checkpoints of the folded header, two slots (optional, ADR 0031)
 *   runs/<runId>/lock         hard link to the lock holder's owner file while a write is in progress
 *   owners/<pid>-<random>     one owner file per open store handle (ADR 0032)
 *   tmp/                      runs being created, runs being deleted
 *
 * Run ids are validated with `assertRunId` before they become path segments, so no id can leave
 * `runs/` (`/^[A-Za-z0-9_-]{1,128}$/` has no dot, no slash).
 */
import { linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { InvalidArgumentError, RUN_ID_PATTERN, StorageUnavailableError } from '@cairn/core';
import { ADAPTER } from '../shared/adapter.ts';
import { errnoOf, fsyncDirectory, randomSuffix } from './fs-util.ts';

/** The format this package writes. */
export const FILE_STORE_FORMAT = { format: 'cairn-file-store', version: 1 } as const;

/** Paths of one file store. */
export interface StoreLayout {
  readonly dir: string;
  readonly runsDir: string;
  readonly ownersDir: string;
  readonly tmpDir: string;
  runDir(runId: string): string;
  journalPath(runId: string): string;
  lockPath(runId: string): string;
  /** A fresh folder name under tmp/ for a run being created or deleted. */
  scratchPath(purpose: 'create' | 'delete' | 'fence', runId: string): string;
  /** Run ids present in runs/ (names that are not run ids are ignored). */
  listRunIds(): string[];
}

function checkMarker(dir: string, create: boolean): void {
  const marker = join(dir, 'cairn-store.json');
  let text: string | undefined;
  try {
    text = readFileSync(marker, 'utf8');
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw error;
  }
  if (text === undefined && !create) {
    throw new StorageUnavailableError(`[${ADAPTER}] ${JSON.stringify(dir)} is not a Cairn file store (no cairn-store.json)`);
  }
  if (text === undefined) {
    // Write aside, then link into place: the marker appears whole or not at all, and a racing
    // opener's link fails with EEXIST instead of overwriting.
    const aside = join(dir, `.cairn-store.json.${randomSuffix()}`);
    writeFileSync(aside, `${JSON.stringify(FILE_STORE_FORMAT)}\n`);
    try {
      linkSync(aside, marker);
    } catch (error) {
      if (errnoOf(error) !== 'EEXIST') throw error;
    } finally {
      unlinkSync(aside);
    }
    text = readFileSync(marker, 'utf8');
  }
  let parsed: { format?: unknown; version?: unknown } = {};
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    // Reported below.
  }
  if (parsed.format !== FILE_STORE_FORMAT.format || parsed.version !== FILE_STORE_FORMAT.version) {
    throw new StorageUnavailableError(
      `[${ADAPTER}] ${JSON.stringify(marker)} does not describe a version ${FILE_STORE_FORMAT.version} Cairn file store: upgrade @cairn/storage-node or pick another directory`,
    );
  }
}

/** Create (if needed, unless `create` is false) and check the layout of a file store in `dir`. */
export function openLayout(dir: string, create = true): StoreLayout {
  if (typeof dir !== 'string' || dir.length === 0)
    throw new InvalidArgumentError(`[${ADAPTER}] file store needs a non-empty dir`);
  const root = resolve(dir);
  const runsDir = join(root, 'runs');
  const ownersDir = join(root, 'owners');
  const tmpDir = join(root, 'tmp');
  if (create) mkdirSync(root, { recursive: true });
  checkMarker(root, create);
  if (create) {
    for (const sub of [runsDir, ownersDir, tmpDir]) mkdirSync(sub, { recursive: true });
    fsyncDirectory(root);
  }
  for (const sub of [runsDir, ownersDir, tmpDir]) {
    // The store made these folders: a link in their place would send its writes, and the sweep of
    // tmp/ (which removes entries), somewhere else (ADR 0027). The store root itself may be a link.
    let isLink = false;
    try {
      isLink = lstatSync(sub).isSymbolicLink();
    } catch (error) {
      if (errnoOf(error) !== 'ENOENT') throw error;
    }
    if (isLink) {
      throw new StorageUnavailableError(
        `[${ADAPTER}] ${JSON.stringify(sub)} is a symbolic link, not the store's own folder: refusing to open the store`,
      );
    }
  }
  // Plain concatenation: these run on every call, run ids hold no separator, and path.join's
  // normalisation showed up in profiles of the append path.
  const runDir = (runId: string) => `${runsDir}${sep}${runId}`;
  return {
    dir: root,
    runsDir,
    ownersDir,
    tmpDir,
    runDir,
    journalPath: (runId) => `${runsDir}${sep}${runId}${sep}journal`,
    lockPath: (runId) => `${runsDir}${sep}${runId}${sep}lock`,
    scratchPath: (purpose, runId) => join(tmpDir, `${purpose}-${runId}-${randomSuffix()}`),
    listRunIds: () => readdirSync(runsDir).filter((name) => RUN_ID_PATTERN.test(name)),
  };
}

/**
 * Remove what crashed processes left in tmp/: folders of deletions (any age: a deleted run is never
 * resurrected) and of creations older than `staleMs` (a live creation takes milliseconds).
 */
export function sweepScratch(layout: StoreLayout, staleMs: number): void {
  for (const name of readdirSync(layout.tmpDir)) {
    const path = join(layout.tmpDir, name);
    try {
      if (name.startsWith('delete-') || Date.now() - statSync(path).mtimeMs > staleMs)
        rmSync(path, { recursive: true, force: true });
    } catch {
      // Another process is sweeping or finishing the same folder.
    }
  }
}
