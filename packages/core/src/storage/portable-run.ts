/**
 * Portable runs (ADR 0120): `exportRun` writes one run as a self-describing JSON-lines document,
 * `importRun` writes such a document into any store, so a run paused in one store (IndexedDB in a
 * tab) is finished in another (a Durable Object, a SQLite file).
 *
 * Format `cairn-run` version 1, one JSON value per line:
 * - line 1: `{ "format": "cairn-run", "version": 1, "run": <RunRecord as stored>, "entries": <n> }`;
 * - lines 2…n+1: `{ "seq", "kind", "key", "payload", "createdAt" }`, seq 1…n, dense.
 *
 * Invariants:
 * - the header is exported generically (every field of the record), so new header fields travel;
 *   known fields are validated on import, a missing `metadata`/`expiresAt` reads as `null`;
 * - the whole document is validated before anything is written: a refused import writes nothing,
 *   and every refusal names the run id (when known) and the 1-based line;
 * - an existing run id is refused (`RunExistsError`), never merged or overwritten;
 * - the imported run holds no lease and keeps its status; its `version` starts over in the target.
 */
import { byteLength } from '../codec.ts';
import { CorruptJournalError, InvalidArgumentError, PayloadTooLargeError, RunExistsError, RunNotFoundError } from '../errors.ts';
import { assertRunId, RUN_ID_PATTERN } from './run-id.ts';

const isValidRunId = (value: string): boolean => RUN_ID_PATTERN.test(value);

import {
  type DurableStore,
  ENTRY_KINDS,
  type EntryKind,
  type JournalEntry,
  type NewEntry,
  type NewRun,
  RUN_STATUSES,
  type RunRecord,
} from './types.ts';

/** The format name in a portable run's header line. */
export const PORTABLE_RUN_FORMAT = 'cairn-run';
/** The format version this code writes and reads. */
export const PORTABLE_RUN_VERSION = 1;

/** Entries written per `append` on import (keeps each batch well inside every adapter's limits). */
const IMPORT_BATCH = 200;

/** The header line of a portable run. */
export interface PortableRunHeader {
  format: typeof PORTABLE_RUN_FORMAT;
  version: typeof PORTABLE_RUN_VERSION;
  run: RunRecord;
  /** Number of entry lines that follow (equals `run.lastSeq`). */
  entries: number;
}

/** Error for a document that cannot be imported. */
function refuse(where: string, message: string, runId?: string): CorruptJournalError {
  return new CorruptJournalError(`[@cairn/core] portable run ${where}: ${message}`, runId ? { runId } : {});
}

/**
 * The run `runId` of `store` as a portable JSON-lines document (ends with a newline). The header is
 * the record as read; the entries are the journal up to its `lastSeq`.
 *
 * @example
 * const text = await exportRun(browserStore, runId);
 * await importRun(serverStore, text);
 */
export async function exportRun(store: DurableStore, runId: string): Promise<string> {
  assertRunId(runId);
  const run = await store.getRun(runId);
  if (!run) throw new RunNotFoundError(`[@cairn/core] exportRun: run "${runId}" not found in store "${store.name}"`, { runId });
  const entries = run.lastSeq === 0 ? [] : await store.readEntries(runId, { limit: run.lastSeq });
  if (entries.length !== run.lastSeq || entries.some((entry, i) => entry.seq !== i + 1))
    throw new CorruptJournalError(
      `[@cairn/core] exportRun: run "${runId}" in store "${store.name}" has ${entries.length} readable entries, its header says ${run.lastSeq}`,
      { runId },
    );
  const header: PortableRunHeader = { format: PORTABLE_RUN_FORMAT, version: PORTABLE_RUN_VERSION, run, entries: entries.length };
  const lines = [JSON.stringify(header)];
  for (const { seq, kind, key, payload, createdAt } of entries)
    lines.push(JSON.stringify({ seq, kind, key, payload, createdAt }));
  return `${lines.join('\n')}\n`;
}

/** A parsed, validated document. */
export interface PortableRun {
  run: NewRun;
  entries: JournalEntry[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isNullableString = (value: unknown): boolean => value === null || typeof value === 'string';

// Header fields this version knows, each with its check. Fields it does not know are copied as they are.
const HEADER_CHECKS: Record<string, (value: unknown) => boolean> = {
  runId: (v) => typeof v === 'string' && isValidRunId(v),
  workflow: (v) => typeof v === 'string' && v.length > 0,
  status: (v) => RUN_STATUSES.includes(v as never),
  pauseReason: (v) => v === null || ['approval', 'event', 'sleep', 'manual', 'budget'].includes(v as string),
  wakeAt: (v) => v === null || isFiniteNumber(v),
  version: isCount,
  lastSeq: isCount,
  lease: (v) => v === null || (isRecord(v) && typeof v.owner === 'string' && isFiniteNumber(v.expiresAt)),
  input: (v) => typeof v === 'string',
  output: isNullableString,
  error: isNullableString,
  usage: (v) =>
    isRecord(v) && ['inputTokens', 'outputTokens', 'totalTokens', 'savedTokens', 'modelCalls'].every((k) => isCount(v[k])),
  step: (v) => isRecord(v) && isCount(v.index) && isNullableString(v.name),
  cancelRequested: (v) => typeof v === 'boolean',
  forkedFrom: (v) => v === null || (isRecord(v) && typeof v.runId === 'string' && isCount(v.atSeq)),
  createdAt: isFiniteNumber,
  updatedAt: isFiniteNumber,
};

// Fields added after version 1 was first written: absent reads as null.
const OPTIONAL_CHECKS: Record<string, (value: unknown) => boolean> = {
  metadata: (v) => v === null || (isRecord(v) && Object.values(v).every((x) => typeof x === 'string')),
  expiresAt: (v) => v === null || isFiniteNumber(v),
  attempt: (v) => v === null || (typeof v === 'number' && Number.isSafeInteger(v) && v >= 1),
};

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function parseLine(text: string, where: string, runId?: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw refuse(where, `not JSON (${(error as Error).message}); the document is torn or not a Cairn export`, runId);
  }
}

function checkHeader(value: unknown): { run: Record<string, unknown>; count: number } {
  const where = 'line 1';
  if (!isRecord(value) || value.format !== PORTABLE_RUN_FORMAT)
    throw refuse(
      where,
      `not a Cairn run export (format must be "${PORTABLE_RUN_FORMAT}", got ${JSON.stringify(isRecord(value) ? value.format : typeof value)?.slice(0, 60)})`,
    );
  const runId = isRecord(value.run) && typeof value.run.runId === 'string' ? value.run.runId.slice(0, 140) : undefined;
  const label = runId ? `${where} (run "${runId}")` : where;
  if (value.version !== PORTABLE_RUN_VERSION)
    throw refuse(
      label,
      `format version ${JSON.stringify(value.version)} is not supported (this Cairn reads version ${PORTABLE_RUN_VERSION})`,
      runId,
    );
  if (!isRecord(value.run)) throw refuse(label, '"run" must be an object', runId);
  const run = value.run;
  for (const [field, check] of Object.entries(HEADER_CHECKS))
    if (!check(run[field]))
      throw refuse(label, `header field "${field}" is missing or invalid (${JSON.stringify(run[field])?.slice(0, 80)})`, runId);
  for (const [field, check] of Object.entries(OPTIONAL_CHECKS))
    if (field in run && !check(run[field])) throw refuse(label, `header field "${field}" is invalid`, runId);
  for (const field of Object.keys(run))
    if (FORBIDDEN_KEYS.has(field)) throw refuse(label, `header field "${field}" is not allowed`, runId);
  if (!isCount(value.entries) || value.entries !== run.lastSeq)
    throw refuse(label, `"entries" (${JSON.stringify(value.entries)}) must equal the run's lastSeq (${run.lastSeq})`, runId);
  if ((run.status === 'paused') !== (run.pauseReason !== null))
    throw refuse(label, `status "${run.status}" does not match pauseReason ${JSON.stringify(run.pauseReason)}`, runId);
  return { run, count: value.entries };
}

function checkEntry(value: unknown, line: number, runId: string, expectedSeq: number): JournalEntry {
  const where = `line ${line} (run "${runId}")`;
  if (!isRecord(value)) throw refuse(where, 'an entry must be a JSON object', runId);
  if (value.seq !== expectedSeq)
    throw refuse(where, `entry seq ${JSON.stringify(value.seq)} where ${expectedSeq} was expected (a gap or reordering)`, runId);
  if (!ENTRY_KINDS.includes(value.kind as EntryKind))
    throw refuse(
      where,
      `unknown entry kind ${JSON.stringify(value.kind)?.slice(0, 60)} (known: ${ENTRY_KINDS.join(', ')})`,
      runId,
    );
  if (typeof value.key !== 'string') throw refuse(where, 'entry "key" must be a string', runId);
  if (typeof value.payload !== 'string') throw refuse(where, 'entry "payload" must be a string', runId);
  try {
    JSON.parse(value.payload);
  } catch {
    throw refuse(where, `entry "payload" is not the JSON text the engine writes`, runId);
  }
  if (!isFiniteNumber(value.createdAt)) throw refuse(where, 'entry "createdAt" must be a number', runId);
  return { seq: expectedSeq, kind: value.kind as EntryKind, key: value.key, payload: value.payload, createdAt: value.createdAt };
}

/**
 * Parse and validate a portable run document (no store involved). `CorruptJournalError` naming the
 * line (and the run once known) for anything wrong: not JSON, wrong format or version, a header field
 * missing or invalid, a seq gap, an unknown entry kind, fewer or more entry lines than the header says.
 */
export function parsePortableRun(document: string): PortableRun {
  if (typeof document !== 'string') throw new InvalidArgumentError('[@cairn/core] importRun: the document must be a string');
  const lines = document.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length === 0 || lines[0]?.trim() === '') throw refuse('line 1', 'the document is empty');
  const { run, count } = checkHeader(parseLine(lines[0] as string, 'line 1'));
  const runId = run.runId as string;
  if (lines.length - 1 < count)
    throw refuse(
      `line ${lines.length + 1} (run "${runId}")`,
      `the document ends after ${lines.length - 1} of ${count} entries (truncated)`,
      runId,
    );
  if (lines.length - 1 > count)
    throw refuse(
      `line ${count + 2} (run "${runId}")`,
      `${lines.length - 1 - count} more lines than the ${count} entries the header announces`,
      runId,
    );
  const entries: JournalEntry[] = [];
  for (let i = 1; i < lines.length; i++)
    entries.push(checkEntry(parseLine(lines[i] as string, `line ${i + 1} (run "${runId}")`, runId), i + 1, runId, i));
  const { version: _version, lastSeq: _lastSeq, ...rest } = run;
  const header: Record<string, unknown> = { ...rest, lease: null };
  for (const field of Object.keys(OPTIONAL_CHECKS)) header[field] ??= null;
  header.attempt ??= 1;
  return { run: header as unknown as NewRun, entries };
}

function assertFitsStore(store: DurableStore, portable: PortableRun): void {
  const max = store.limits.maxPayloadBytes;
  const { run } = portable;
  const tooLarge = (what: string, text: string, line: number): never => {
    throw new PayloadTooLargeError(
      `[@cairn/core] portable run line ${line} (run "${run.runId}"): ${what} is ${byteLength(text)} bytes, over the limit of store "${store.name}" (${max} bytes)`,
      { runId: run.runId },
    );
  };
  for (const field of ['input', 'output', 'error'] as const) {
    const text = run[field];
    if (typeof text === 'string' && text.length * 3 > max && byteLength(text) > max) tooLarge(`run ${field}`, text, 1);
  }
  for (const entry of portable.entries)
    if (entry.payload.length * 3 > max && byteLength(entry.payload) > max)
      tooLarge(`payload of entry ${entry.seq} (${entry.kind} "${entry.key.slice(0, 80)}")`, entry.payload, entry.seq + 1);
}

/**
 * Import a portable run document into `store`; resolves to the stored header. The whole document is
 * validated first (see `parsePortableRun`; payloads against `store.limits`), so a refused import
 * writes nothing. `RunExistsError` naming the id when the store already has the run. The run keeps
 * its status and journal and holds no lease: resume it, approve it, or let a resumer take it.
 *
 * While the journal is written the run reads as paused (`manual`, no wake time), so no resumer
 * drives a half-imported run; the last batch restores its status atomically with its last entries.
 */
export async function importRun(store: DurableStore, document: string): Promise<RunRecord> {
  const portable = parsePortableRun(document);
  assertFitsStore(store, portable);
  const { run, entries } = portable;
  if (await store.getRun(run.runId))
    throw new RunExistsError(`[@cairn/core] importRun: run "${run.runId}" already exists in store "${store.name}"`, {
      runId: run.runId,
    });
  const holding = entries.length > 0 ? { status: 'paused' as const, pauseReason: 'manual' as const, wakeAt: null } : {};
  let record = await store.createRun({ ...run, ...holding });
  const restore = { status: run.status, pauseReason: run.pauseReason, wakeAt: run.wakeAt, updatedAt: run.updatedAt };
  try {
    for (let start = 0; start < entries.length; start += IMPORT_BATCH) {
      const batch: NewEntry[] = entries
        .slice(start, start + IMPORT_BATCH)
        .map(({ kind, key, payload, createdAt }) => ({ kind, key, payload, createdAt }));
      const last = start + IMPORT_BATCH >= entries.length;
      record = await store.append(run.runId, record.lastSeq, batch, last ? restore : { updatedAt: run.updatedAt });
    }
  } catch (error) {
    // A store that failed mid-import: take the half-written run away (best effort), so a retry of
    // the import is not refused as existing. It was paused `manual` all along: nobody drove it.
    await store.deleteRuns({ runIds: [run.runId] }).catch(() => undefined);
    throw error;
  }
  return record;
}
