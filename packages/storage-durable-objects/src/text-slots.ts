/**
 * Long text fields, transparently spread over rows of the `chunks` table (ADR 0050). A field is a
 * pair of columns: the text itself when it fits its row, or NULL and the number of parts.
 * Slots: a journal entry uses its seq; run fields use the negative numbers below.
 */
import { CorruptJournalError } from '@cairn/core';
import { CHUNK_UNITS } from './limits.ts';
import type { TableNames } from './schema.ts';
import { ADAPTER } from './schema.ts';
import type { SqlExecutor } from './sql-storage.ts';
import { joinChunks, splitText } from './text-chunks.ts';

/** Slots of the run fields that may be long. */
export const RUN_SLOTS = { header: -1, input: -2, output: -3, error: -4 } as const;

/** A text field as its two columns hold it. */
export interface StoredText {
  value: string | null;
  parts: number;
}

/** Store `text` in `slot`: inline when it has at most `inlineUnits` code units, else as chunks. */
export function writeText(
  sql: SqlExecutor,
  tables: TableNames,
  runId: string,
  slot: number,
  text: string | null,
  inlineUnits: number,
): StoredText {
  if (text === null || text.length <= inlineUnits) return { value: text, parts: 0 };
  const pieces = splitText(text, CHUNK_UNITS);
  pieces.forEach((piece, part) => {
    sql.exec(`INSERT INTO ${tables.chunks} (run_id, slot, part, data) VALUES (?, ?, ?, ?)`, runId, slot, part, piece);
  });
  return { value: null, parts: pieces.length };
}

/** The text of `slot` as `stored` describes it; `CorruptJournalError` if chunks are missing. */
export function readText(sql: SqlExecutor, tables: TableNames, runId: string, slot: number, stored: StoredText): string | null {
  if (stored.parts === 0) return stored.value;
  const rows = sql
    .exec<{ part: number; data: string }>(
      `SELECT part, data FROM ${tables.chunks} WHERE run_id = ? AND slot = ? ORDER BY part`,
      runId,
      slot,
    )
    .toArray();
  if (rows.length !== stored.parts || rows.some((row, index) => row.part !== index)) {
    throw new CorruptJournalError(`[${ADAPTER}] run "${runId}": slot ${slot} has ${rows.length} of ${stored.parts} chunks`);
  }
  return joinChunks(rows.map((row) => row.data));
}

/** Remove the chunks of `slot` (before it is rewritten). */
export function deleteText(sql: SqlExecutor, tables: TableNames, runId: string, slot: number): void {
  sql.exec(`DELETE FROM ${tables.chunks} WHERE run_id = ? AND slot = ?`, runId, slot);
}
