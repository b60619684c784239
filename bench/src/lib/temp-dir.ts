/**
 * Scratch space for stores under test, in the OS temp directory (whose filesystem RESULTS.md
 * names), and on-disk sizes of what the stores left there.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/** A fresh directory under the OS temp dir, removed by `removeTempDirs`. */
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `cairn-bench-${label}-`));
  made.push(dir);
  return dir;
}

/** Remove every directory `tempDir` made (also on failure, so disks do not fill across runs). */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Apparent size (sum of `st_size`) of every file under `path`; 0 when it does not exist. */
export function apparentSize(path: string): number {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.size;
  let total = 0;
  for (const name of readdirSync(path)) total += apparentSize(join(path, name));
  return total;
}
