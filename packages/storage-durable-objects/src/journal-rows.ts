/**
 * Journal entries as rows of the `entries` table, keyed by (run_id, seq). A payload too long for
 * its row goes to `chunks` under the entry's seq as slot (ADR 0050).
 */
import type { JournalEntry, NewEntry } from '@cairn/core';
import { ENTRY_INLINE_UNITS } from './limits.ts';
import type { TableNames } from './schema.ts';
import type { SqlExecutor, SqlValue } from './sql-storage.ts';
import { readText, writeText } from './text-slots.ts';

interface EntryRow extends Record<string, SqlValue> {
  seq: number;
  kind: string;
  key: string;
  created_at: number;
  payload: string | null;
  payload_parts: number;
}

/** Insert `entries` with seq `firstSeq`, `firstSeq + 1`, …  */
export function insertEntries(
  sql: SqlExecutor,
  tables: TableNames,
  runId: string,
  firstSeq: number,
  entries: readonly NewEntry[],
): void {
  entries.forEach((entry, index) => {
    const seq = firstSeq + index;
    const payload = writeText(sql, tables, runId, seq, entry.payload, ENTRY_INLINE_UNITS);
    sql.exec(
      `INSERT INTO ${tables.entries} (run_id, seq, kind, key, created_at, payload, payload_parts) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      runId,
      seq,
      entry.kind,
      entry.key,
      entry.createdAt,
      payload.value,
      payload.parts,
    );
  });
}

/** Entries with seq > `afterSeq`, ascending, at most `limit` (`-1`: no limit). One ranged read. */
export function selectEntries(
  sql: SqlExecutor,
  tables: TableNames,
  runId: string,
  afterSeq: number,
  limit: number,
): JournalEntry[] {
  const rows = sql
    .exec<EntryRow>(
      `SELECT seq, kind, key, created_at, payload, payload_parts FROM ${tables.entries}
       WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
      runId,
      afterSeq,
      limit,
    )
    .toArray();
  return rows.map((row) => ({
    seq: row.seq,
    kind: row.kind as JournalEntry['kind'],
    key: row.key,
    payload: readText(sql, tables, runId, row.seq, { value: row.payload, parts: row.payload_parts }) ?? '',
    createdAt: row.created_at,
  }));
}
