/**
 * Who holds a lock, and whether that holder can still be alive. A process is identified by host,
 * boot, pid namespace, pid and start time: a pid alone is reused after a reboot, across containers
 * sharing a volume (each with its own pid namespace), and eventually on a busy host (ADR 0032).
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/** The identity a lock owner writes into its owner file. */
export interface ProcessIdentity {
  pid: number;
  host: string;
  /** Linux boot id, `''` where unknown. */
  boot: string;
  /** Linux pid namespace (`pid:[4026531836]`), `''` where unknown. */
  pidns: string;
  /** Process start time in clock ticks since boot (Linux), `null` where unknown. */
  start: number | null;
}

function readOr(read: () => string, fallback: string): string {
  try {
    return read().trim();
  } catch {
    return fallback;
  }
}

/** Start time (field 22 of /proc/<pid>/stat) of `pid`, or `null` if it cannot be read. */
export function processStartTime(pid: number | 'self'): number | null {
  const stat = readOr(() => readFileSync(`/proc/${pid}/stat`, 'utf8'), '');
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = Number(fields[19]);
  return stat !== '' && Number.isFinite(start) ? start : null;
}

let current: ProcessIdentity | undefined;

/** This process's identity (computed once). */
export function currentIdentity(): ProcessIdentity {
  current ??= {
    pid: process.pid,
    host: hostname(),
    boot: readOr(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8'), ''),
    pidns: readOr(() => readlinkSync('/proc/self/ns/pid'), ''),
    start: processStartTime('self'),
  };
  return current;
}

/** Parse an owner file's text; `null` when it is not one (torn, empty, foreign). */
export function parseIdentity(text: string): ProcessIdentity | null {
  try {
    const value = JSON.parse(text) as Partial<ProcessIdentity>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string') return null;
    return {
      pid: value.pid,
      host: value.host,
      boot: typeof value.boot === 'string' ? value.boot : '',
      pidns: typeof value.pidns === 'string' ? value.pidns : '',
      start: typeof value.start === 'number' ? value.start : null,
    };
  } catch {
    return null;
  }
}

/**
 * `'dead'` when `owner` certainly no longer runs, `'alive'` when it certainly does (or may: a live
 * process with its pid and start time), `'unknown'` when this process cannot tell (another host,
 * another pid namespace). Only `'dead'` lets a lock be broken at once.
 */
export function ownerLiveness(owner: ProcessIdentity): 'alive' | 'dead' | 'unknown' {
  const me = currentIdentity();
  if (owner.host !== me.host) return 'unknown';
  // Same host, another boot: every process of that boot is gone.
  if (owner.boot !== '' && me.boot !== '' && owner.boot !== me.boot) return 'dead';
  if (owner.pidns !== me.pidns) return 'unknown';
  if (owner.pid === me.pid) return owner.start === me.start ? 'alive' : 'dead';
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return 'dead';
  }
  if (owner.start === null) return 'alive';
  const start = processStartTime(owner.pid);
  // The pid runs, but a process started at another time owns it now: the owner is gone.
  return start === null || start === owner.start ? 'alive' : 'dead';
}
