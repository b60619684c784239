/**
 * A run record as one row of the `runs` table. The columns the store filters, orders or compares
 * on (status, workflow, times, version, lastSeq) are real columns; input, output and error are text
 * fields; every other field (lease, usage, step, pause reason, fork link, and any field a later core
 * adds) lives in one JSON `header` text field, so no field of the record is ever dropped.
 * Every field lives in exactly one place.
 */
import type { RunRecord } from '@cairn/core';
import { CorruptJournalError } from '@cairn/core';
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
}

/** A run as loaded: the record, and the header text it was decoded from (to skip unchanged rewrites). */
export interface LoadedRun {
  record: RunRecord;
  header: string;
  row: RunRow;
}

type TextField = keyof typeof RUN_SLOTS;
const TEXT_FIELDS: readonly TextField[] = ['header', 'input', 'output', 'error'];
const PARTS = { header: 'header_parts', input: 'input_parts', output: 'output_parts', error: 'error_parts' } as const;
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

/** Every column of `runs`, in the order `writeRun` binds them. */
export const RUN_COLUMNS =
  'run_id, workflow, status, version, last_seq, created_at, updated_at, wake_at, header, header_parts, input, input_parts, output, output_parts, error, error_parts';

/** The header text of a record: every field that has no column of its own. */
export function headerText(record: RunRecord): string {
  const header: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(record)) {
    if (!COLUMN_FIELDS.has(field)) header[field] = value;
  }
  return JSON.stringify(header);
}

/** Decode a row (reading chunks of long fields). */
export function decodeRun(sql: SqlExecutor, tables: TableNames, row: RunRow): LoadedRun {
  const text = (field: TextField) =>
    readText(sql, tables, row.run_id, RUN_SLOTS[field], { value: row[field], parts: row[PARTS[field]] });
  const header = text('header') ?? '{}';
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(header) as Record<string, unknown>;
  } catch (cause) {
    throw new CorruptJournalError(`[${ADAPTER}] run "${row.run_id}": run header is not valid JSON`, { cause });
  }
  const record = {
    // Runs written before these fields existed read back as null.
    metadata: null,
    expiresAt: null,
    attempt: 1,
    ...fields,
    runId: row.run_id,
    workflow: row.workflow,
    status: row.status,
    version: row.version,
    lastSeq: row.last_seq,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    wakeAt: row.wake_at,
    input: text('input') ?? '',
    output: text('output'),
    error: text('error'),
  } as RunRecord;
  return { record, header, row };
}

/** True when a run with this id exists (without reading its fields). */
export function runExists(sql: SqlExecutor, tables: TableNames, runId: string): boolean {
  return sql.exec(`SELECT 1 AS found FROM ${tables.runs} WHERE run_id = ?`, runId).toArray().length > 0;
}

/** Load one run, or `null`. */
export function loadRun(sql: SqlExecutor, tables: TableNames, runId: string): LoadedRun | null {
  const rows = sql.exec<RunRow>(`SELECT ${RUN_COLUMNS} FROM ${tables.runs} WHERE run_id = ?`, runId).toArray();
  return rows[0] ? decodeRun(sql, tables, rows[0]) : null;
}

/**
 * Write `next` as the row of its run. With `previous`, only text fields that `changed` lists (or a
 * header that differs) are rewritten, so an append that only moves `lastSeq` writes one small row.
 */
export function writeRun(
  sql: SqlExecutor,
  tables: TableNames,
  next: RunRecord,
  previous: LoadedRun | null,
  changed: ReadonlySet<TextField> = new Set(TEXT_FIELDS),
): void {
  const header = headerText(next);
  const texts = {} as Record<TextField, StoredText>;
  for (const field of TEXT_FIELDS) {
    const value = field === 'header' ? header : (next[field] ?? null);
    const rewrite = !previous || (field === 'header' ? header !== previous.header : changed.has(field));
    if (!rewrite && previous) {
      texts[field] = { value: previous.row[field], parts: previous.row[PARTS[field]] };
      continue;
    }
    if (previous && previous.row[PARTS[field]] > 0) deleteText(sql, tables, next.runId, RUN_SLOTS[field]);
    texts[field] = writeText(sql, tables, next.runId, RUN_SLOTS[field], value, RUN_INLINE_UNITS);
  }
  const values: SqlValue[] = [
    next.runId,
    next.workflow,
    next.status,
    next.version,
    next.lastSeq,
    next.createdAt,
    next.updatedAt,
    next.wakeAt ?? null,
    ...TEXT_FIELDS.flatMap((field) => [texts[field].value, texts[field].parts]),
  ];
  // INSERT OR REPLACE would delete and re-insert the row (and its index entries); UPSERT updates in place.
  sql.exec(
    `INSERT INTO ${tables.runs} (${RUN_COLUMNS}) VALUES (${values.map(() => '?').join(', ')})
     ON CONFLICT (run_id) DO UPDATE SET workflow = excluded.workflow, status = excluded.status, version = excluded.version,
       last_seq = excluded.last_seq, created_at = excluded.created_at, updated_at = excluded.updated_at,
       wake_at = excluded.wake_at, header = excluded.header, header_parts = excluded.header_parts,
       input = excluded.input, input_parts = excluded.input_parts, output = excluded.output,
       output_parts = excluded.output_parts, error = excluded.error, error_parts = excluded.error_parts`,
    ...values,
  );
}
