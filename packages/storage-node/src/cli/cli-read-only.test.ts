// `cairn` read commands on a SQLite store the user can only read (ADR 0028): list, show, history
// and stats open it without migrating; an older schema on a read-only file is a clear error.
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_RUNS, seedHostileRuns } from '../../test/test-support/hostile-runs.ts';
import { cairn, killCliChildren } from '../../test/test-support/run-cli.ts';
import { SCHEMA_VERSION } from '../sqlite/sqlite-schema.ts';

const temp = makeTempDir('cli-read-only');
// Root ignores file modes: run the bin as an unprivileged user then, so "read-only" is real.
const asReader = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

/** A store in its own folder, both made read-only (for everyone but root). */
async function readOnlyStore(name: string, prepare?: (path: string) => void): Promise<{ dir: string; path: string }> {
  const dir = join(temp.path, name);
  mkdirSync(dir);
  const path = join(dir, 'cairn.db');
  await seedHostileRuns(path);
  prepare?.(path);
  chmodSync(path, 0o444);
  chmodSync(dir, 0o555);
  return { dir, path };
}

beforeAll(() => {
  chmodSync(temp.path, 0o755);
});
afterEach(() => killCliChildren());
afterAll(() => {
  for (const name of ['current', 'older']) {
    try {
      chmodSync(join(temp.path, name), 0o755);
    } catch {
      // Not created.
    }
  }
  temp.remove();
});

describe('cairn on a read-only SQLite store', () => {
  it('list, show, history and stats work on a read-only file in a read-only folder, writing nothing', async () => {
    const { dir, path } = await readOnlyStore('current');
    const before = readFileSync(path);
    const store = `sqlite:${path}`;
    const list = await cairn(['list', '--store', store, '--json'], {}, 60_000, asReader);
    expect(list.code, list.stderr).toBe(0);
    expect(list.json().runs).toHaveLength(Object.keys(HOSTILE_RUNS).length);
    const stats = await cairn(['stats', '--store', store, '--json'], {}, 60_000, asReader);
    expect(stats.code, stats.stderr).toBe(0);
    expect(stats.json()).toMatchObject({ total: Object.keys(HOSTILE_RUNS).length });
    for (const command of ['show', 'history']) {
      const result = await cairn([command, HOSTILE_RUNS.output, '--store', store], {}, 60_000, asReader);
      expect(result.code, `${command}: ${result.stderr}`).toBe(0);
    }
    // A write command still says why it cannot work, naming the store.
    const deletion = await cairn(['delete', HOSTILE_RUNS.output, '--store', store, '--force'], {}, 60_000, asReader);
    expect(deletion.code).toBe(1);
    expect(deletion.stderr).toContain(path);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(dir).toBeTruthy();
  });

  it('an older schema on a read-only file is a clear error naming both versions, and the file is untouched', async () => {
    const { path } = await readOnlyStore('older', (file) => {
      // Make the schema look one migration old (its statements are idempotent, so forgetting the
      // record is enough for the store to want to run it again).
      const db = new DatabaseSync(file);
      db.prepare('DELETE FROM cairn_migrations WHERE version = ?').run(SCHEMA_VERSION);
      db.close();
    });
    const before = readFileSync(path);
    const result = await cairn(['list', '--store', `sqlite:${path}`], {}, 60_000, asReader);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`schema version ${SCHEMA_VERSION - 1}, older than ${SCHEMA_VERSION}`);
    expect(result.stderr).toMatch(/read-only/);
    expect(result.stderr).toContain(path);
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});
