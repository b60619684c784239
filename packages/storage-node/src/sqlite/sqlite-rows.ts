/**
 * How a run record maps onto the SQLite columns, and back. Nested fields that listing or the
 * engine may filter on (lease, step, fork source) get columns; `usage` is JSON text so that token
 * counters the engine adds later round-trip without a migration.
 */

import type { SQLInputValue } from 'node:sqlite';
import type { JournalEntry, RunRecord } from '@cairn/core';

/** The header columns an update may change, in a fixed order (index = bit in a change mask). */
export const HEADER_COLUMNS = [
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
  'updated_at',
  'expires_at',
  'attempt',
] as const;

/** The opaque columns kept in the payloads table, in a fixed order. */
export const PAYLOAD_COLUMNS = ['input', 'output', 'error', 'metadata'] as const;

/** A joined row of the runs and payloads tables. */
export interface RunRow {
  run_id: string;
  workflow: string;
  status: string;
  pause_reason: string | null;
  wake_at: number | null;
  version: number;
  last_seq: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  usage: string;
  step_index: number;
  step_name: string | null;
  cancel_requested: number;
  forked_from_run_id: string | null;
  forked_from_seq: number | null;
  created_at: number;
  updated_at: number;
  expires_at: number | null;
  attempt: number;
  input: string;
  output: string | null;
  error: string | null;
  /** JSON text of the metadata map, or null. */
  metadata: string | null;
}

/** The SELECT list that yields a `RunRow` from `runs r JOIN payloads p`. */
export const RUN_ROW_COLUMNS = [
  'r.run_id',
  'r.workflow',
  ...HEADER_COLUMNS.map((column) => `r.${column}`),
  'r.created_at',
  'p.input',
  'p.output',
  'p.error',
  'p.metadata',
].join(', ');

/** The record a row stores. */
export function recordOf(row: RunRow): RunRecord {
  return {
    runId: row.run_id,
    workflow: row.workflow,
    status: row.status as RunRecord['status'],
    pauseReason: row.pause_reason as RunRecord['pauseReason'],
    wakeAt: row.wake_at,
    version: row.version,
    lastSeq: row.last_seq,
    lease: row.lease_owner === null ? null : { owner: row.lease_owner, expiresAt: row.lease_expires_at as number },
    input: row.input,
    output: row.output,
    error: row.error,
    usage: JSON.parse(row.usage) as RunRecord['usage'],
    step: { index: row.step_index, name: row.step_name },
    cancelRequested: row.cancel_requested === 1,
    forkedFrom: row.forked_from_run_id === null ? null : { runId: row.forked_from_run_id, atSeq: row.forked_from_seq as number },
    metadata: row.metadata === null ? null : (JSON.parse(row.metadata) as Record<string, string>),
    expiresAt: row.expires_at,
    attempt: row.attempt,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const USAGE_COLUMN = HEADER_COLUMNS.indexOf('usage');

/**
 * Values of `HEADER_COLUMNS` for `record`, in order. `usageText`, when given, is the usage JSON
 * already computed for the same usage object (appends rarely change usage: skip re-serializing it).
 */
export function headerValues(record: RunRecord, usageText?: string): SQLInputValue[] {
  return [
    record.status,
    record.pauseReason,
    record.wakeAt,
    record.version,
    record.lastSeq,
    record.lease?.owner ?? null,
    record.lease?.expiresAt ?? null,
    usageText ?? JSON.stringify(record.usage),
    record.step.index,
    record.step.name,
    record.cancelRequested ? 1 : 0,
    record.forkedFrom?.runId ?? null,
    record.forkedFrom?.atSeq ?? null,
    record.updatedAt,
    record.expiresAt ?? null,
    record.attempt ?? 1,
  ];
}

/** The usage JSON inside values made by `headerValues`. */
export function usageTextOf(values: readonly SQLInputValue[]): string {
  return values[USAGE_COLUMN] as string;
}

/** Values of `PAYLOAD_COLUMNS` for `record`, in order. */
export function payloadValues(record: RunRecord): SQLInputValue[] {
  return [record.input, record.output, record.error, record.metadata ? JSON.stringify(record.metadata) : null];
}

/**
 * Bit mask of the positions where `next` differs from `current`. Updating only changed columns
 * keeps SQLite from rewriting index pages whose keys did not move (one page less per append).
 */
export function changeMask(current: readonly SQLInputValue[], next: readonly SQLInputValue[]): number {
  let mask = 0;
  for (let index = 0; index < next.length; index++) if (!Object.is(current[index], next[index])) mask |= 1 << index;
  return mask;
}

/** A journal row as SELECTed by the store (an array: `[seq, kind, key, payload, created_at]`). */
export type EntryRow = [seq: number, kind: string, key: string, payload: string, createdAt: number];

/** The entry a row stores. */
export function entryOf(row: EntryRow): JournalEntry {
  return { seq: row[0], kind: row[1] as JournalEntry['kind'], key: row[2], payload: row[3], createdAt: row[4] };
}
