/**
 * `checkSqliteIntegrity`: is a SQLite store's file sound, and is every run's journal dense?
 * Read-only; safe to run while other processes use the database.
 */
import { RUN_STATUSES } from '@cairn/core';
import { type IntegrityReport, reportBuilder } from '../shared/integrity-report.ts';
import { toStoreError } from './sqlite-errors.ts';
import { openSqliteDatabase } from './sqlite-open.ts';
import { sqliteTables } from './sqlite-schema.ts';

/** Options of `checkSqliteIntegrity`. */
export interface CheckSqliteIntegrityOptions {
  /** Table prefix the store was created with (default `cairn_`). */
  tablePrefix?: string;
}

/**
 * Run `PRAGMA integrity_check`, then check every run: entries numbered densely 1..lastSeq, one
 * payload row, a known status; and that no entry or payload row belongs to no run.
 *
 * @example
 * const report = await checkSqliteIntegrity('./cairn.db');
 * if (!report.ok) console.error(report.problems.join('\n'));
 */
export async function checkSqliteIntegrity(path: string, options: CheckSqliteIntegrityOptions = {}): Promise<IntegrityReport> {
  const tables = sqliteTables(options.tablePrefix);
  const db = openSqliteDatabase({ path, synchronous: 'full', busyTimeoutMs: 5000, tables, readOnly: true });
  const report = reportBuilder();
  try {
    const check = db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[];
    for (const row of check) if (row.integrity_check !== 'ok') report.problem(`sqlite integrity_check: ${row.integrity_check}`);
    const { runs, payloads, entries } = tables;
    const journals = db
      .prepare(
        `SELECT r.run_id, r.last_seq, r.status, count(e.seq) AS count, min(e.seq) AS low, max(e.seq) AS high,
                (SELECT count(*) FROM ${payloads} p WHERE p.run_id = r.run_id) AS payload_rows
         FROM ${runs} r LEFT JOIN ${entries} e ON e.run_id = r.run_id GROUP BY r.run_id`,
      )
      .all() as {
      run_id: string;
      last_seq: number;
      status: string;
      count: number;
      low: number | null;
      high: number | null;
      payload_rows: number;
    }[];
    let entryCount = 0;
    for (const run of journals) {
      entryCount += run.count;
      // (run_id, seq) is unique, so count = lastSeq with min 1 and max lastSeq means 1..lastSeq exactly.
      const dense = run.count === run.last_seq && (run.count === 0 || (run.low === 1 && run.high === run.last_seq));
      if (!dense) {
        report.problem(
          `run "${run.run_id}": lastSeq is ${run.last_seq} but the journal holds ${run.count} entries (seq ${run.low ?? '-'}..${run.high ?? '-'})`,
        );
      }
      if (run.payload_rows !== 1) report.problem(`run "${run.run_id}": ${run.payload_rows} payload rows, expected 1`);
      if (!RUN_STATUSES.includes(run.status as never))
        report.problem(`run "${run.run_id}": unknown status ${JSON.stringify(run.status)}`);
    }
    const orphans = db
      .prepare(
        `SELECT 'entries' AS tab, run_id FROM ${entries} WHERE run_id NOT IN (SELECT run_id FROM ${runs})
         UNION SELECT 'payloads', run_id FROM ${payloads} WHERE run_id NOT IN (SELECT run_id FROM ${runs})`,
      )
      .all() as { tab: string; run_id: string }[];
    for (const orphan of orphans) report.problem(`run "${orphan.run_id}": ${orphan.tab} rows without a run`);
    return report.finish(journals.length, entryCount);
  } catch (error) {
    throw toStoreError(error, `checking ${JSON.stringify(path)}`);
  } finally {
    db.close();
  }
}
