// checkSqliteIntegrity on real files: a healthy store passes; gaps, extra rows and orphans fail,
// each problem naming its run.
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { entryFixture, newRunFixture } from '@cairn/core/testing';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, describe, expect, it } from 'vitest';
import { checkSqliteIntegrity } from './sqlite-integrity.ts';
import { createSqliteStore } from './sqlite-store.ts';

const temp = makeTempDir('sqlite-integrity');
afterAll(() => temp.remove());

async function seeded(): Promise<string> {
  const path = join(temp.path, `${crypto.randomUUID()}.db`);
  const store = createSqliteStore({ path });
  for (const runId of ['run-1', 'run-2']) {
    await store.createRun(newRunFixture(runId));
    await store.append(runId, 0, [entryFixture('a#0'), entryFixture('a#1'), entryFixture('a#2')]);
  }
  await store.close();
  return path;
}

function tamper(path: string, sql: string): void {
  const db = new DatabaseSync(path);
  db.exec(sql);
  db.close();
}

describe('checkSqliteIntegrity', () => {
  it('passes a healthy store and counts its runs and entries', async () => {
    expect(await checkSqliteIntegrity(await seeded())).toStrictEqual({ ok: true, runs: 2, entries: 6, problems: [], notes: [] });
  });

  it('finds a gap in a journal, a lastSeq that does not match, and rows that belong to no run', async () => {
    const path = await seeded();
    tamper(path, "DELETE FROM cairn_entries WHERE run_id = 'run-1' AND seq = 2");
    tamper(path, "UPDATE cairn_runs SET last_seq = 5 WHERE run_id = 'run-2'");
    tamper(
      path,
      "INSERT INTO cairn_entries (run_id, seq, kind, key, payload, created_at) VALUES ('ghost', 1, 'step-end', 'k', '{}', 1)",
    );
    const report = await checkSqliteIntegrity(path);
    expect(report.ok).toBe(false);
    expect(report.problems).toHaveLength(3);
    expect(report.problems.find((problem) => problem.includes('"run-1"'))).toContain('seq 1..3');
    expect(report.problems.find((problem) => problem.includes('"run-2"'))).toContain('lastSeq is 5');
    expect(report.problems.find((problem) => problem.includes('"ghost"'))).toContain('without a run');
  });

  it('rejects with storage-unavailable for a file that is not a store', async () => {
    await expect(checkSqliteIntegrity(join(temp.path, 'missing.db'))).rejects.toMatchObject({ code: 'storage-unavailable' });
  });
});
