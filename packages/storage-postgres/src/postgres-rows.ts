/**
 * How a run record maps onto the Postgres columns, and back. The header row holds what every
 * append rewrites; input, output, error and metadata live in the payloads row, and the header's
 * `payload_version` counts their changes so a handle can reuse what it already holds.
 */
import type { JournalEntry, RunPatch, RunRecord } from '@cairn/core';

/** An int8 column: a string as `pg` parses it, a number from JSON or from the handle's own writes. */
export type Int8 = string | number;

/** A header row as the store SELECTs or RETURNs it (or `to_json` of it, or what this handle wrote). */
export interface HeaderRow {
  run_id: string;
  workflow: string;
  status: string;
  pause_reason: string | null;
  wake_at: number | null;
  version: Int8;
  last_seq: Int8;
  lease_owner: string | null;
  lease_expires_at: number | null;
  usage: string;
  step_index: number;
  step_name: string | null;
  cancel_requested: boolean;
  forked_from_run_id: string | null;
  forked_from_seq: number | null;
  expires_at: number | null;
  attempt: Int8;
  payload_version: Int8;
  created_at: number;
  updated_at: number;
}

/** The opaque part of a run, as read from the payloads row. */
export interface Payloads {
  payloadVersion: number;
  input: string;
  output: string | null;
  error: string | null;
  metadata: Record<string, string> | null;
}

/** A payloads row (bytea arrives as a Buffer). */
export interface PayloadRow {
  payload_version: string;
  input: Buffer;
  output: Buffer | null;
  error: Buffer | null;
  metadata: string | null;
}

/** The header columns, in the order SELECT and RETURNING list them. */
export const HEADER_COLUMNS = [
  'run_id',
  'workflow',
  'status',
  'pause_reason',
  'wake_at',
  'version',
  'last_seq',
  'lease_owner',
  'lease_expires_at',
  'usage',
  'step_index',
  'step_name',
  'cancel_requested',
  'forked_from_run_id',
  'forked_from_seq',
  'expires_at',
  'attempt',
  'payload_version',
  'created_at',
  'updated_at',
] as const;

/** The payload columns, in order. */
export const PAYLOAD_COLUMNS = ['input', 'output', 'error', 'metadata'] as const;

const text = (value: Buffer | null): string | null => (value === null ? null : value.toString('utf8'));
const bytes = (value: string | null | undefined): Buffer | null =>
  value === null || value === undefined ? null : Buffer.from(value, 'utf8');

/** The payloads a row holds. */
export function payloadsOf(row: PayloadRow): Payloads {
  return {
    payloadVersion: Number(row.payload_version),
    input: row.input.toString('utf8'),
    output: text(row.output),
    error: text(row.error),
    metadata: row.metadata === null ? null : (JSON.parse(row.metadata) as Record<string, string>),
  };
}

/** The record a header row and its payloads make. */
export function recordOf(row: HeaderRow, payloads: Payloads): RunRecord {
  return {
    runId: row.run_id,
    workflow: row.workflow,
    status: row.status as RunRecord['status'],
    pauseReason: row.pause_reason as RunRecord['pauseReason'],
    wakeAt: row.wake_at,
    version: Number(row.version),
    lastSeq: Number(row.last_seq),
    lease: row.lease_owner === null ? null : { owner: row.lease_owner, expiresAt: row.lease_expires_at as number },
    input: payloads.input,
    output: payloads.output,
    error: payloads.error,
    usage: JSON.parse(row.usage) as RunRecord['usage'],
    step: { index: row.step_index, name: row.step_name },
    cancelRequested: row.cancel_requested,
    forkedFrom: row.forked_from_run_id === null ? null : { runId: row.forked_from_run_id, atSeq: row.forked_from_seq as number },
    metadata: payloads.metadata === null ? null : { ...payloads.metadata },
    expiresAt: row.expires_at,
    attempt: Number(row.attempt),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * The value a column holds once `value` was bound to it, as reading it back returns it: `pg` sends a
 * number as `String(n)`, so -0 arrives as 0 (float8 text round-trips every other finite number), and
 * a string as UTF-8, where a lone surrogate becomes U+FFFD (as `toWellFormed` does). Other values
 * (null, booleans) are stored as they are; `undefined` is sent as null.
 */
export function storedValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'number') return value + 0;
  if (typeof value === 'string') return value.isWellFormed() ? value : value.toWellFormed();
  return value;
}

/** The header columns of a row read with more (a SELECT joining the payloads): a copy holding only them. */
export function headerOf(row: HeaderRow): HeaderRow {
  const header: Record<string, unknown> = {};
  for (const column of HEADER_COLUMNS) header[column] = row[column];
  return header as unknown as HeaderRow;
}

/**
 * The header row after an append that the server confirmed was made on `row` (see `append` in
 * postgres-store.ts): `row` with the patch's header columns set to the values bound for them
 * (`patchValues(patch, mask)`, header columns first), as they are stored, and `last_seq` moved.
 */
export function appendedRow(
  row: HeaderRow,
  mask: number,
  values: readonly unknown[],
  lastSeq: number,
  payloadVersion: number,
): HeaderRow {
  const next: HeaderRow = { ...row, last_seq: lastSeq, payload_version: payloadVersion };
  const columns = next as unknown as Record<string, unknown>;
  let n = 0;
  for (let index = 0; index < HEADER_FIELDS.length; index++) {
    if ((mask & (1 << index)) === 0) continue;
    for (const column of HEADER_FIELDS[index]!.columns) columns[column] = storedValue(values[n++]);
  }
  return next;
}

type Fields = Partial<RunRecord> | RunPatch;

/** A patchable field: the columns it sets and their values (index = bit in a patch mask). */
interface FieldColumns {
  field: keyof RunRecord;
  columns: readonly string[];
  values(fields: Fields): unknown[];
}

/** Header fields a patch may set, in a fixed order. */
export const HEADER_FIELDS: readonly FieldColumns[] = [
  { field: 'status', columns: ['status'], values: (f) => [f.status] },
  { field: 'pauseReason', columns: ['pause_reason'], values: (f) => [f.pauseReason] },
  { field: 'wakeAt', columns: ['wake_at'], values: (f) => [f.wakeAt] },
  {
    field: 'lease',
    columns: ['lease_owner', 'lease_expires_at'],
    values: (f) => [f.lease?.owner ?? null, f.lease?.expiresAt ?? null],
  },
  { field: 'usage', columns: ['usage'], values: (f) => [JSON.stringify(f.usage)] },
  { field: 'step', columns: ['step_index', 'step_name'], values: (f) => [f.step?.index, f.step?.name ?? null] },
  { field: 'cancelRequested', columns: ['cancel_requested'], values: (f) => [f.cancelRequested] },
  {
    field: 'forkedFrom',
    columns: ['forked_from_run_id', 'forked_from_seq'],
    values: (f) => [f.forkedFrom?.runId ?? null, f.forkedFrom?.atSeq ?? null],
  },
  { field: 'expiresAt', columns: ['expires_at'], values: (f) => [f.expiresAt ?? null] },
  { field: 'attempt', columns: ['attempt'], values: (f) => [f.attempt] },
  { field: 'updatedAt', columns: ['updated_at'], values: (f) => [f.updatedAt] },
];

/** Payload fields a patch may set, in a fixed order (bits after the header fields). */
export const PAYLOAD_FIELDS: readonly FieldColumns[] = [
  { field: 'input', columns: ['input'], values: (f) => [bytes(f.input)] },
  { field: 'output', columns: ['output'], values: (f) => [bytes(f.output)] },
  { field: 'error', columns: ['error'], values: (f) => [bytes(f.error)] },
  { field: 'metadata', columns: ['metadata'], values: (f) => [f.metadata ? JSON.stringify(f.metadata) : null] },
];

/** Bit mask of the header fields (low bits) and payload fields (high bits) a patch sets. */
export function patchMask(patch: RunPatch | undefined): number {
  if (!patch) return 0;
  let mask = 0;
  const fields = patch as Record<string, unknown>;
  HEADER_FIELDS.forEach((entry, index) => {
    if (fields[entry.field] !== undefined) mask |= 1 << index;
  });
  PAYLOAD_FIELDS.forEach((entry, index) => {
    if (fields[entry.field] !== undefined) mask |= 1 << (HEADER_FIELDS.length + index);
  });
  return mask;
}

/** True when the mask sets a payload field. */
export function touchesPayloads(mask: number): boolean {
  return mask >>> HEADER_FIELDS.length !== 0;
}

/** The values a patch binds, in the order its SET lists name them. */
export function patchValues(patch: RunPatch | undefined, mask: number): unknown[] {
  const values: unknown[] = [];
  if (!patch) return values;
  HEADER_FIELDS.forEach((entry, index) => {
    if (mask & (1 << index)) values.push(...entry.values(patch));
  });
  PAYLOAD_FIELDS.forEach((entry, index) => {
    if (mask & (1 << (HEADER_FIELDS.length + index))) values.push(...entry.values(patch));
  });
  return values;
}

/** The header columns `createRun` inserts, in the order `insertValues` binds them. */
export const INSERT_HEADER_COLUMNS: readonly string[] = [
  'run_id',
  'workflow',
  'version',
  'last_seq',
  'created_at',
  'payload_version',
  ...HEADER_FIELDS.flatMap((entry) => entry.columns),
];

/** Insert values of a new record: the `INSERT_HEADER_COLUMNS`, then the payload columns. */
export function insertValues(record: RunRecord, payloadVersion: number): unknown[] {
  return [
    record.runId,
    record.workflow,
    record.version,
    record.lastSeq,
    record.createdAt,
    String(payloadVersion),
    ...HEADER_FIELDS.flatMap((entry) => entry.values(record)),
    ...PAYLOAD_FIELDS.flatMap((entry) => entry.values(record)),
  ];
}

/** The header row `createRun` stored with `values` (`insertValues`): each column as it reads back. */
export function insertedRow(values: readonly unknown[]): HeaderRow {
  const row: Record<string, unknown> = {};
  INSERT_HEADER_COLUMNS.forEach((column, index) => {
    row[column] = storedValue(values[index]);
  });
  return row as unknown as HeaderRow;
}

/** Metadata as it reads back from the JSON text it is stored as: a copy the caller's object cannot change. */
export function storedMetadata(metadata: Record<string, string> | null): Record<string, string> | null {
  return metadata && (JSON.parse(JSON.stringify(metadata)) as Record<string, string>);
}

/**
 * The payloads of a patch applied over `current`, as stored: input, output and error are checked
 * well-formed (so their UTF-8 bytes decode to the same string); metadata is read back from the JSON
 * text it is stored as (a copy the caller's object cannot change).
 */
export function patchedPayloads(current: Payloads, patch: RunPatch | undefined, payloadVersion: number): Payloads {
  return {
    payloadVersion,
    input: patch?.input ?? current.input,
    output: patch?.output !== undefined ? patch.output : current.output,
    error: patch?.error !== undefined ? patch.error : current.error,
    metadata: patch?.metadata === undefined ? current.metadata : storedMetadata(patch.metadata),
  };
}

/** A journal row as SELECTed in array mode: `[seq, kind, key, payload, created_at]`. */
export type EntryRow = [seq: string, kind: string, key: string, payload: Buffer, createdAt: number];

/** The entry a row stores. */
export function entryOf(row: EntryRow): JournalEntry {
  return {
    seq: Number(row[0]),
    kind: row[1] as JournalEntry['kind'],
    key: row[2],
    payload: row[3].toString('utf8'),
    createdAt: row[4],
  };
}

/**
 * Push the bind values of an append's entries onto `values`: 4 per entry (kind, key, payload as
 * UTF-8 bytes, createdAt) up to `rowsLimit` entries, else 4 arrays (one per column).
 */
export function pushEntryValues(
  values: unknown[],
  entries: readonly { kind: string; key: string; payload: string; createdAt: number }[],
  rowsLimit: number,
): void {
  if (entries.length <= rowsLimit) {
    for (const entry of entries) values.push(entry.kind, entry.key, Buffer.from(entry.payload, 'utf8'), entry.createdAt);
    return;
  }
  values.push(
    entries.map((entry) => entry.kind),
    entries.map((entry) => entry.key),
    entries.map((entry) => Buffer.from(entry.payload, 'utf8')),
    entries.map((entry) => entry.createdAt),
  );
}
