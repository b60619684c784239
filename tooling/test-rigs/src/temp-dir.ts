/**
 * Temporary directories for tests: one per test file under `os.tmpdir()`, removed when released.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory `cairn-storage-node-<label>-XXXXXX` and a function that removes it. */
export function makeTempDir(label: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `cairn-storage-node-${label}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
