/**
 * The mechanics of one run's lock file (ADR 0032): an owner file per store handle, hard-linked as
 * `runs/<id>/lock` to take the lock, judged stale when its owner is certainly dead or it is older
 * than `staleMs`, and broken by renaming it aside.
 */
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  linkSync,
  lstatSync,
  openSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { errnoOf, randomSuffix } from './fs-util.ts';
import { currentIdentity, ownerLiveness, type ProcessIdentity, parseIdentity } from './process-identity.ts';

/** A store handle's owner file. */
export interface LockOwner {
  /** Inode of the owner file: a lock path with this inode is held by this handle. */
  readonly ino: number;
  /** `link(ownerFile, path)`: `'taken'`, `'held'` (EEXIST) or `'missing'` (the folder is gone). */
  link(path: string): 'taken' | 'held' | 'missing';
  /** True when `path` is a link to this owner file. */
  holds(path: string): boolean;
  remove(): void;
}

function readText(fd: number): string {
  const buffer = Buffer.alloc(4096);
  return buffer.toString('utf8', 0, readSync(fd, buffer, 0, buffer.length, 0));
}

/** Write a new owner file in `ownersDir` for this process. */
export function createLockOwner(ownersDir: string): LockOwner {
  const path = join(ownersDir, `${process.pid}-${randomSuffix()}`);
  const write = () => {
    writeFileSync(path, JSON.stringify(currentIdentity() satisfies ProcessIdentity));
    return statSync(path).ino;
  };
  let ino = write();
  let removed = false;
  return {
    get ino() {
      return ino;
    },
    link(target) {
      for (let attempt = 0; ; attempt++) {
        try {
          linkSync(path, target);
          return 'taken';
        } catch (error) {
          const code = errnoOf(error);
          if (code === 'EEXIST') return 'held';
          if (code !== 'ENOENT') throw error;
          // ENOENT: the target folder is gone, or someone swept our owner file (it looked dead).
          if (attempt > 0 || removed || existsSync(path)) return 'missing';
          ino = write();
        }
      }
    },
    holds(target) {
      try {
        return lstatSync(target).ino === ino;
      } catch {
        return false;
      }
    },
    remove() {
      removed = true;
      try {
        unlinkSync(path);
      } catch {
        // Already swept.
      }
    },
  };
}

/** Remove owner files of processes that are certainly dead (their locks are judged on their own). */
export function sweepOwners(ownersDir: string, names: readonly string[]): void {
  for (const name of names) {
    const path = join(ownersDir, name);
    try {
      const fd = openSync(path, 'r');
      let owner: ProcessIdentity | null;
      try {
        owner = parseIdentity(readText(fd));
      } finally {
        closeSync(fd);
      }
      if (owner && ownerLiveness(owner) === 'dead') unlinkSync(path);
    } catch {
      // Gone already, or unreadable: leave it to its owner.
    }
  }
}

/** What a held lock looks like to a waiter. */
export interface LockState {
  ino: number;
  owner: ProcessIdentity | null;
  ageMs: number;
  /** Its owner is certainly dead, or it is older than `staleMs`. */
  stale: boolean;
  /**
   * Stale by age while its owner may still be alive (a stopped process, a suspended VM): breaking it
   * leaves a zombie that may still write, so the breaker must fence the journal (ADR 0037).
   */
  holderMayLive: boolean;
}

/** Look at the lock at `path`: `'gone'` if it was released meanwhile. */
export function judgeLock(path: string, staleMs: number): LockState | 'gone' {
  let fd: number;
  try {
    // Never follow a link planted as the lock (ADR 0027): its target could be anything, a FIFO
    // that blocks this open forever included. A link is no lock: break it at once.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return 'gone';
    if (errnoOf(error) !== 'ELOOP') throw error;
    try {
      return { ino: lstatSync(path).ino, owner: null, ageMs: 0, stale: true, holderMayLive: false };
    } catch {
      return 'gone';
    }
  }
  try {
    const stat = fstatSync(fd);
    const owner = parseIdentity(readText(fd));
    // The lock inode's ctime is when it was last linked: when the lock was taken.
    const ageMs = Date.now() - stat.ctimeMs;
    const dead = owner !== null && ownerLiveness(owner) === 'dead';
    return { ino: stat.ino, owner, ageMs, stale: dead || ageMs > staleMs, holderMayLive: !dead && ageMs > staleMs };
  } finally {
    closeSync(fd);
  }
}

/**
 * Break the stale lock at `path` that was judged to have inode `judgedIno`: rename it aside, and if
 * the inode moved is another one (the lock was released and taken again meanwhile), link it back.
 */
export function breakLock(path: string, judgedIno: number): void {
  const aside = `${path}.broken-${randomSuffix()}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return;
    throw error;
  }
  try {
    if (lstatSync(aside).ino !== judgedIno) linkSync(aside, path);
  } catch {
    // The path was taken again meanwhile: that holder owns it now.
  } finally {
    unlinkSync(aside);
  }
}
