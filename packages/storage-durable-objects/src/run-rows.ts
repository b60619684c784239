/**
 * A run record as one row of the `runs` table. The columns the store filters, orders or compares
 * on (status, workflow, times, version, lastSeq) are real columns; input, output and error are text
 * fields; every other field (lease, usage, step, pause reason, fork link, and any field a later core
 * adds) lives in one JSON `header` text field, so no field of the record is ever dropped.
 * Every field lives in exactly one place.
 *
 * Every write of a row moves its `stamp` (ADR 0185): one more than the row's previous stamp, or a
 * random start for a new row, so a run deleted and created again under the same id does not take
 * up the stamps of its predecessor. A store handle keeps the row it last wrote or read (`StoredRun`)
 * and writes the next step only `WHERE stamp = ?` the one it kept: if anyone else wrote the row in
 * between, nothing is written and the handle reads the row again.
 */
import type { RunRecord } from '@cairn/core';
import { CorruptJournalError } from '@cairn/core';
import { firstStamp } from '@cairn/core/adapter';
import { RUN_INLINE_UNITS } from './limits.ts';
import type { TableNames } from './schema.ts';
import { ADAPTER } from './schema.ts';
import type { SqlExecutor, SqlValue } from './sql-storage.ts';
import type { StoredText } from './text-slots.ts';
import { deleteText, RUN_SLOTS, readText, writeText } from './text-slots.ts';

/** The `runs` row as SQLite returns it. */
export interface RunRow extends Record<string, SqlValue> {
  run_id: string;
  workflow: string;
  status: string;
  version: number;
  last_seq: number;
  created_at: number;
  updated_at: number;
  wake_at: number | null;
  header: string | null;
  header_parts: number;
  input: string | null;
  input_parts: number;
  output: string | null;
  output_parts: number;
  error: string | null;
  error_parts: number;
  stamp: number;
}

type TextField = keyof typeof RUN_SLOTS;
const TEXT_FIELDS: readonly TextField[] = ['header', 'input', 'output', 'error'];
const PARTS = { header: 'header_parts', input: 'input_parts', output: 'output_parts', error: 'error_parts' } as const;

/**
 * A run row with its long fields read back from their chunks: the whole run as text and numbers,
 * which a handle may keep (nothing in it is shared with a caller) and turn into a record with
 * `recordOf` as often as it needs a fresh one.
 */
export interface StoredRun {
  /** The row's columns; the text columns of chunked fields are NULL, their `*_parts` > 0. */
  row: RunRow;
  /** The full text of each field (`header` is JSON; `null` for a NULL field). */
  texts: Record<TextField, string | null>;
}
const COLUMN_FIELDS = new Set<string>([
  'runId',
  'workflow',
  'status',
  'version',
  'lastSeq',
  'createdAt',
  'updatedAt',
  'wakeAt',
  'input',
  'output',
  'error',
]);

/** The indexed columns a step may change besides last_seq, header and stamp. */
const STEP_COLUMNS = ['updated_at', 'status', 'wake_at'] as const;

/** Every column of `runs`, in the order `writeRun` binds them. */
export const RUN_COLUMNS =
  'run_id, workflow, status, version, last_seq, created_at, updated_at, wake_at, header, header_parts, input, input_parts, output, output_parts, error, error_parts, stamp';

/** The header text of a record: every field that has no column of its own. */
export function headerText(record: RunRecord): string {
  const header: Record<string, unknown> = {};
  for (const field in record) {
    if (!COLUMN_FIELDS.has(field)) header[field] = (record as unknown as Record<string, unknown>)[field];
  }
  return JSON.stringify(header);
}

/** Read the chunks of a row's long fields. */
export function storedRun(sql: SqlExecutor, tables: TableNames, row: RunRow): StoredRun {
  const text = (field: TextField) =>
    readText(sql, tables, row.run_id, RUN_SLOTS[field], { value: row[field], parts: row[PARTS[field]] });
  return { row, texts: { header: text('header'), input: text('input'), output: text('output'), error: text('error') } };
}

/** A new record of `stored`: parsed from its text, so it shares no object with anything. */
export function recordOf(stored: StoredRun): RunRecord {
  const { row, texts } = stored;
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(texts.header ?? '{}') as Record<string, unknown>;
  } catch (cause) {
    throw new CorruptJournalError(`[${ADAPTER}] run "${row.run_id}": run header is not valid JSON`, { cause });
  }
  // Filled in on the parsed object itself (no spread): this runs twice per append.
  // Runs written before these fields existed read back as null.
  record.metadata ??= null;
  record.expiresAt ??= null;
  record.attempt ??= 1;
  record.runId = row.run_id;
  record.workflow = row.workflow;
  record.status = row.status;
  record.version = row.version;
  record.lastSeq = row.last_seq;
  record.createdAt = row.created_at;
  record.updatedAt = row.updated_at;
  record.wakeAt = row.wake_at;
  record.input = texts.input ?? '';
  record.output = texts.output;
  record.error = texts.error;
  return record as unknown as RunRecord;
}

/** Decode a row (reading chunks of long fields). */
export function decodeRun(sql: SqlExecutor, tables: TableNames, row: RunRow): RunRecord {
  return recordOf(storedRun(sql, tables, row));
}

/** True when a run with this id exists (without reading its fields). */
export function runExists(sql: SqlExecutor, tables: TableNames, runId: string): boolean {
  return sql.exec(`SELECT 1 AS found FROM ${tables.runs} WHERE run_id = ?`, runId).toArray().length > 0;
}

/** Load one run, or `null`. */
export function loadRun(sql: SqlExecutor, tables: TableNames, runId: string): StoredRun | null {
  const rows = sql.exec<RunRow>(`SELECT ${RUN_COLUMNS} FROM ${tables.runs} WHERE run_id = ?`, runId).toArray();
  return rows[0] ? storedRun(sql, tables, rows[0]) : null;
}

/**
 * Write `next` as the row of its run, with the next stamp, and return what was written. With
 * `previous` (the row as this transaction read it), only text fields that `changed` lists (or a
 * header that differs) are rewritten, so an update that only moves counters writes one small row.
 */
export function writeRun(
  sql: SqlExecutor,
  tables: TableNames,
  next: RunRecord,
  previous: StoredRun | null,
  changed: ReadonlySet<TextField> = new Set(TEXT_FIELDS),
): StoredRun {
  const header = headerText(next);
  const texts: Record<TextField, string | null> = {
    header,
    input: next.input,
    output: next.output ?? null,
    error: next.error ?? null,
  };
  const stored = {} as Record<TextField, StoredText>;
  for (const field of TEXT_FIELDS) {
    const rewrite = !previous || (field === 'header' ? header !== previous.texts.header : changed.has(field));
    if (!rewrite && previous) {
      stored[field] = { value: previous.row[field], parts: previous.row[PARTS[field]] };
      texts[field] = previous.texts[field];
      continue;
    }
    if (previous && previous.row[PARTS[field]] > 0) deleteText(sql, tables, next.runId, RUN_SLOTS[field]);
    stored[field] = writeText(sql, tables, next.runId, RUN_SLOTS[field], texts[field], RUN_INLINE_UNITS);
  }
  const row: RunRow = {
    run_id: next.runId,
    workflow: next.workflow,
    status: next.status,
    version: next.version,
    last_seq: next.lastSeq,
    created_at: next.createdAt,
    updated_at: next.updatedAt,
    wake_at: next.wakeAt ?? null,
    header: stored.header.value,
    header_parts: stored.header.parts,
    input: stored.input.value,
    input_parts: stored.input.parts,
    output: stored.output.value,
    output_parts: stored.output.parts,
    error: stored.error.value,
    error_parts: stored.error.parts,
    stamp: previous ? previous.row.stamp + 1 : firstStamp(),
  };
  const values = Object.values(row);
  // INSERT OR REPLACE would delete and re-insert the row (and its index entries); UPSERT updates in place.
  sql.exec(
    `INSERT INTO ${tables.runs} (${RUN_COLUMNS}) VALUES (${values.map(() => '?').join(', ')})
     ON CONFLICT (run_id) DO UPDATE SET workflow = excluded.workflow, status = excluded.status, version = excluded.version,
       last_seq = excluded.last_seq, created_at = excluded.created_at, updated_at = excluded.updated_at,
       wake_at = excluded.wake_at, header = excluded.header, header_parts = excluded.header_parts,
       input = excluded.input, input_parts = excluded.input_parts, output = excluded.output,
       output_parts = excluded.output_parts, error = excluded.error, error_parts = excluded.error_parts,
       stamp = excluded.stamp`,
    ...values,
  );
  return { row, texts };
}

/**
 * The step write of a run this handle holds as `previous`: `next` differs from it only in header
 * fields and counters (no text field changed, the header fits its row), so the row is updated in
 * place, only if its stamp is still the one `previous` holds. Returns what was written, or `null`
 * (nothing written) when another writer moved the stamp or deleted the run.
 */
export function writeStep(sql: SqlExecutor, tables: TableNames, next: RunRecord, previous: StoredRun): StoredRun | null {
  const header = headerText(next);
  if (header.length > RUN_INLINE_UNITS || previous.row.header_parts > 0) return null;
  const stamp = previous.row.stamp + 1;
  const row: RunRow = {
    ...previous.row,
    status: next.status,
    last_seq: next.lastSeq,
    updated_at: next.updatedAt,
    wake_at: next.wakeAt ?? null,
    header,
    stamp,
  };
  // Only the columns that change: SQLite rewrites the index entries of every column a SET names,
  // and status, wake_at and updated_at are indexed.
  let set = 'last_seq = ?, header = ?, stamp = ?';
  const values: SqlValue[] = [row.last_seq, header, stamp];
  for (const column of STEP_COLUMNS) {
    if (row[column] === previous.row[column]) continue;
    set += `, ${column} = ?`;
    values.push(row[column]);
  }
  // rowsWritten, not RETURNING: a result row costs more than the update itself.
  const written = sql.exec(
    `UPDATE ${tables.runs} SET ${set} WHERE run_id = ? AND stamp = ?`,
    ...values,
    row.run_id,
    previous.row.stamp,
  );
  if (written.rowsWritten === 0) return null;
  return { row, texts: { ...previous.texts, header } };
}
