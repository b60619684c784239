/**
 * What the figures were measured on: CPU, cores, memory, the filesystem of the temp directory the
 * stores live in, OS, Node, SQLite and package versions, and the date.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem, type } from 'node:os';
import { DatabaseSync } from 'node:sqlite';
import type { Table } from './report.ts';

function osName(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1];
    if (pretty) return `${pretty} (${type()} ${release()})`;
  } catch {
    // Not Linux, or no os-release: the kernel name will do.
  }
  return `${type()} ${release()}`;
}

function tempFilesystem(): string {
  const dir = tmpdir();
  try {
    const line = execFileSync('df', ['-PT', dir], { encoding: 'utf8' }).trim().split('\n')[1] ?? '';
    const [device, fsType] = line.split(/\s+/);
    return `${dir} on ${device} (${fsType})`;
  } catch {
    return dir;
  }
}

/** The load average as `1.23 / 0.98 / 0.75`: above the core count, other work competed with the bench. */
export function loadAverage(): string {
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(' / ');
}

/** The SQLite library version `node:sqlite` links. */
export function nodeSqliteVersion(): string {
  const db = new DatabaseSync(':memory:');
  try {
    return (db.prepare('select sqlite_version() as v').get() as { v: string }).v;
  } finally {
    db.close();
  }
}

/** The machine table of RESULTS.md; `extra` rows (package versions…) are appended. */
export function machineTable(extra: Array<[string, string]>): Table {
  const cpu = cpus();
  const rows: Array<[string, string]> = [
    ['date', new Date().toISOString()],
    ['CPU', `${cpu[0]?.model ?? 'unknown'}`],
    ['cores (logical)', String(cpu.length)],
    ['memory', `${(totalmem() / 2 ** 30).toFixed(1)} GiB`],
    ['temp dir (stores live here)', tempFilesystem()],
    ['OS', osName()],
    ['load average at start (1 / 5 / 15 min)', loadAverage()],
    ['Node', process.version],
    ['SQLite (node:sqlite)', nodeSqliteVersion()],
    ...extra,
  ];
  return { headers: ['what', 'value'], rows };
}
