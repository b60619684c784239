/**
 * Pure helpers shared by every adapter, so that each one applies patches, filters, orders, pages
 * and counts runs the same way. They read no clock and touch no I/O.
 */
import { byteLength } from '../codec.ts';
import { InvalidArgumentError, PayloadTooLargeError, RunNotFoundError, StorageConflictError } from '../errors.ts';
import { assertRunId } from './run-id.ts';
import type { DeleteRunsQuery, ListRunsQuery, NewEntry, NewRun, RunPatch, RunRecord, RunStatus, StoreStats } from './types.ts';
import { RUN_STATUSES } from './types.ts';

/** Default page size of `listRuns`, and its ceiling. */
export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

/** The record `createRun` stores for `run`: version 0, lastSeq 0. */
export function initialRecord(run: NewRun, adapter: string): RunRecord {
  assertRunId(run.runId, adapter);
  if (typeof run.workflow !== 'string' || run.workflow.length === 0) {
    throw new InvalidArgumentError(`[${adapter}] run "${run.runId}": workflow name must be a non-empty string`);
  }
  assertMetadata(adapter, run.runId, run.metadata ?? null);
  assertExpiresAt(adapter, run.runId, run.expiresAt ?? null);
  assertAttempt(adapter, run.runId, run.attempt ?? 1);
  return {
    ...run,
    metadata: run.metadata ?? null,
    expiresAt: run.expiresAt ?? null,
    attempt: run.attempt ?? 1,
    version: 0,
    lastSeq: 0,
  };
}

/** Most keys of a run's metadata. */
export const MAX_METADATA_KEYS = 32;
/** Longest metadata value, in characters. */
export const MAX_METADATA_VALUE = 512;
const METADATA_KEY = /^[A-Za-z0-9_.:-]{1,64}$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Check a run's metadata: `null`, or a plain object of at most MAX_METADATA_KEYS keys (1-64 of
 * `A-Z a-z 0-9 _ . : -`) to strings of at most MAX_METADATA_VALUE well-formed characters.
 */
export function assertMetadata(adapter: string, runId: string, metadata: unknown): void {
  if (metadata === null) return;
  const where = `[${adapter}] run "${runId}": metadata`;
  if (typeof metadata !== 'object' || Array.isArray(metadata) || Object.getPrototypeOf(metadata) !== Object.prototype)
    throw new InvalidArgumentError(`${where} must be a plain object of strings or null`);
  const entries = Object.entries(metadata);
  if (entries.length > MAX_METADATA_KEYS)
    throw new InvalidArgumentError(`${where} has ${entries.length} keys, more than ${MAX_METADATA_KEYS}`);
  for (const [key, value] of entries) {
    if (!METADATA_KEY.test(key))
      throw new InvalidArgumentError(`${where} key ${JSON.stringify(key.slice(0, 80))} must be 1-64 of A-Z a-z 0-9 _ . : -`);
    if (typeof value !== 'string' || value.length > MAX_METADATA_VALUE || LONE_SURROGATE.test(value))
      throw new InvalidArgumentError(
        `${where} "${key}" must be a well-formed string of at most ${MAX_METADATA_VALUE} characters`,
      );
  }
}

/** Check the metadata and expiresAt of a patch (fields absent from it are not checked). */
export function assertPatchFields(adapter: string, runId: string, patch: RunPatch | undefined): void {
  if (patch?.metadata !== undefined) assertMetadata(adapter, runId, patch.metadata);
  if (patch?.expiresAt !== undefined) assertExpiresAt(adapter, runId, patch.expiresAt);
  if (patch?.attempt !== undefined) assertAttempt(adapter, runId, patch.attempt);
}

/** Check a run's `attempt`: an integer ≥ 1. */
export function assertAttempt(adapter: string, runId: string, attempt: unknown): void {
  if (typeof attempt !== 'number' || !Number.isSafeInteger(attempt) || attempt < 1)
    throw new InvalidArgumentError(`[${adapter}] run "${runId}": attempt must be an integer ≥ 1`);
}

/** Check a run's `expiresAt`: `null` or a finite time in ms. */
export function assertExpiresAt(adapter: string, runId: string, expiresAt: unknown): void {
  if (expiresAt === null) return;
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt))
    throw new InvalidArgumentError(`[${adapter}] run "${runId}": expiresAt must be a finite time in ms or null`);
}

// Fields only the store sets (or nobody changes): a patch smuggling one in at runtime is ignored,
// so `append` can never move `version` and `updateRun` can never move `lastSeq`.
const FIXED_FIELDS = new Set(['runId', 'workflow', 'version', 'lastSeq', 'createdAt']);

/**
 * `record` with `patch` applied: a field absent from the patch, or `undefined` in it, keeps its
 * value; `null` sets `null`; any other value replaces the whole field (no deep merge).
 */
export function applyPatch(record: RunRecord, patch: RunPatch | undefined): RunRecord {
  if (!patch) return record;
  return assignPatch({ ...record }, patch);
}

/**
 * `applyPatch` in place, for a record its caller owns and nobody else sees (a store folding a
 * journal of thousands of patches into one record makes one copy, not one per patch).
 */
export function assignPatch(record: RunRecord, patch: RunPatch): RunRecord {
  const target = record as unknown as Record<string, unknown>;
  const source = patch as Record<string, unknown>;
  // Own keys only, without building [key, value] pairs (a journal load applies thousands).
  for (const field of Object.keys(source)) {
    const value = source[field];
    if (value !== undefined && !FIXED_FIELDS.has(field)) target[field] = value;
  }
  return record;
}

/** The conflict error for a lost CAS, naming run, adapter and both values. */
export function conflictError(
  adapter: string,
  runId: string,
  what: 'version' | 'lastSeq',
  expected: number,
  actual: number,
): StorageConflictError {
  return new StorageConflictError(
    `[${adapter}] run "${runId}": ${what} is ${actual}, expected ${expected} (another writer got there first)`,
  );
}

/** The not-found error for a mutation of a missing run. */
export function notFoundError(adapter: string, runId: string): RunNotFoundError {
  return new RunNotFoundError(`[${adapter}] run "${runId}" not found`);
}

/** Validate a `listRuns` limit; returns the effective limit. */
export function listLimit(query: ListRunsQuery | undefined, adapter: string): number {
  const limit = query?.limit ?? DEFAULT_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new InvalidArgumentError(`[${adapter}] listRuns: limit must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${limit}`);
  }
  return limit;
}

/** Cursor position: listing order is `createdAt` descending, then `runId` descending. */
export interface ListPosition {
  createdAt: number;
  runId: string;
}

/** Encode the position after the last run of a page. */
export function encodeCursor(run: Pick<RunRecord, 'createdAt' | 'runId'>): string {
  return `${run.createdAt}.${run.runId}`;
}

/** Decode a cursor from `encodeCursor`; `InvalidArgumentError` if it is not one. */
export function decodeCursor(cursor: string, adapter: string): ListPosition {
  // Run ids hold no '.', but a fractional createdAt does: split at the last dot.
  const dot = typeof cursor === 'string' ? cursor.lastIndexOf('.') : -1;
  const time = dot > 0 ? cursor.slice(0, dot) : '';
  const createdAt = Number(time);
  const runId = dot > 0 ? cursor.slice(dot + 1) : '';
  if (!/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(time) || !Number.isFinite(createdAt) || !/^[A-Za-z0-9_-]{1,128}$/.test(runId)) {
    throw new InvalidArgumentError(`[${adapter}] listRuns: malformed cursor ${JSON.stringify(String(cursor).slice(0, 160))}`);
  }
  return { createdAt, runId };
}

/** True when `run` comes after `position` in listing order. */
export function isAfter(run: Pick<RunRecord, 'createdAt' | 'runId'>, position: ListPosition): boolean {
  return run.createdAt < position.createdAt || (run.createdAt === position.createdAt && run.runId < position.runId);
}

/** Listing order comparator (newest first). */
export function compareListOrder(a: RunRecord, b: RunRecord): number {
  if (a.createdAt !== b.createdAt) return b.createdAt - a.createdAt;
  return a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0;
}

/** True when `run` passes the filters of a list query. */
export function matchesList(run: RunRecord, query: ListRunsQuery | undefined): boolean {
  if (!query) return true;
  if (query.status && !query.status.includes(run.status)) return false;
  if (query.workflow !== undefined && run.workflow !== query.workflow) return false;
  if (query.updatedBefore !== undefined && !(run.updatedAt < query.updatedBefore)) return false;
  return true;
}

const DELETE_CONDITIONS = new Set(['runIds', 'status', 'updatedBefore']);

function describeArgument(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 60))}`;
  if (typeof value === 'number') return String(value);
  return typeof value;
}

/**
 * Validate a delete query, so a malformed call never widens into a wipe (ADR 0021, ADR 0026):
 * - the query is a plain object holding at least one of `runIds`, `status`, `updatedBefore`;
 * - a condition that is present is well-typed: `null` is not "absent" (it once matched every run);
 *   `runIds` an array of valid run ids, `status` an array of known statuses, `updatedBefore` a
 *   finite number;
 * - any other key is refused: a list filter such as `workflow` would otherwise be ignored and the
 *   delete would reach runs the caller meant to keep.
 * Throws `InvalidArgumentError` naming the field (or `InvalidRunIdError` for a bad id) before
 * anything is deleted.
 */
export function assertDeleteQuery(query: DeleteRunsQuery, adapter: string): void {
  const fail = (field: string, expected: string, got: string): never => {
    throw new InvalidArgumentError(`[${adapter}] deleteRuns: ${field} must be ${expected}, got ${got}`);
  };
  if (typeof query !== 'object' || query === null || Array.isArray(query)) {
    fail('query', 'an object', describeArgument(query));
  }
  for (const [key, value] of Object.entries(query)) {
    if (!DELETE_CONDITIONS.has(key) && value !== undefined) {
      throw new InvalidArgumentError(
        `[${adapter}] deleteRuns: unknown condition ${JSON.stringify(key.slice(0, 60))} (conditions are runIds, status, updatedBefore); nothing deleted`,
      );
    }
  }
  const { runIds, status, updatedBefore } = query as Record<string, unknown>;
  if (runIds === undefined && status === undefined && updatedBefore === undefined) {
    throw new InvalidArgumentError(`[${adapter}] deleteRuns needs at least one of runIds, status, updatedBefore`);
  }
  if (runIds !== undefined) {
    if (!Array.isArray(runIds)) fail('runIds', 'an array of run ids', describeArgument(runIds));
    for (const runId of runIds as unknown[]) assertRunId(runId, adapter);
  }
  if (status !== undefined) {
    if (!Array.isArray(status)) fail('status', `an array of statuses (${RUN_STATUSES.join(', ')})`, describeArgument(status));
    for (const value of status as unknown[]) {
      if (!RUN_STATUSES.includes(value as RunStatus)) {
        fail('status', `an array of statuses (${RUN_STATUSES.join(', ')})`, `an array holding ${describeArgument(value)}`);
      }
    }
  }
  if (updatedBefore !== undefined && (typeof updatedBefore !== 'number' || !Number.isFinite(updatedBefore))) {
    fail('updatedBefore', 'a finite number (milliseconds since the epoch)', describeArgument(updatedBefore));
  }
}

/** True when `run` matches every condition of a delete query. */
export function matchesDelete(run: RunRecord, query: DeleteRunsQuery): boolean {
  if (query.runIds && !query.runIds.includes(run.runId)) return false;
  if (query.status && !query.status.includes(run.status)) return false;
  if (query.updatedBefore !== undefined && !(run.updatedAt < query.updatedBefore)) return false;
  return true;
}

/** Stats with every status at zero. */
export function emptyStats(): StoreStats {
  const byStatus = {} as Record<RunStatus, number>;
  for (const status of RUN_STATUSES) byStatus[status] = 0;
  return { total: 0, byStatus };
}

function assertCounter(adapter: string, runId: string, name: string, value: unknown): void {
  if (!Number.isInteger(value) || (value as number) < 0) {
    throw new InvalidArgumentError(`[${adapter}] run "${runId}": ${name} must be a non-negative integer, got ${String(value)}`);
  }
}

/** Validate `append` arguments common to all adapters. */
export function assertAppendArguments(
  adapter: string,
  runId: string,
  expectedLastSeq: number,
  entries: readonly unknown[],
): void {
  assertRunId(runId, adapter);
  assertCounter(adapter, runId, 'expectedLastSeq', expectedLastSeq);
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new InvalidArgumentError(`[${adapter}] run "${runId}": append needs at least one entry`);
  }
}

/** Validate `updateRun` arguments common to all adapters. */
export function assertUpdateArguments(adapter: string, runId: string, expectedVersion: number): void {
  assertRunId(runId, adapter);
  assertCounter(adapter, runId, 'expectedVersion', expectedVersion);
}

/** The validated range of a `readEntries` call: `limit` is `undefined` for "all entries". */
export function readRange(
  adapter: string,
  runId: string,
  options: { afterSeq?: number; limit?: number } | undefined,
): { afterSeq: number; limit: number | undefined } {
  assertRunId(runId, adapter);
  const afterSeq = options?.afterSeq ?? 0;
  const limit = options?.limit;
  assertCounter(adapter, runId, 'readEntries afterSeq', afterSeq);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new InvalidArgumentError(
      `[${adapter}] run "${runId}": readEntries limit must be a positive integer, got ${String(limit)}`,
    );
  }
  return { afterSeq, limit };
}

function assertTextSize(
  adapter: string,
  runId: string,
  maxPayloadBytes: number,
  what: string,
  text: string | null | undefined,
): void {
  // Cheap bounds first: a UTF-16 code unit is 1 to 3 UTF-8 bytes, so most strings need no encoding.
  if (typeof text !== 'string' || text.length * 3 <= maxPayloadBytes) return;
  // Past maxPayloadBytes code units the string is over the limit whatever its encoding: skip encoding it.
  const certain = text.length > maxPayloadBytes;
  const bytes = certain ? text.length : byteLength(text);
  if (bytes > maxPayloadBytes) {
    const size = certain ? `at least ${bytes}` : `${bytes}`;
    throw new PayloadTooLargeError(
      `[${adapter}] run "${runId}": ${what} is ${size} UTF-8 bytes, over the store's limit of ${maxPayloadBytes}`,
    );
  }
}

/**
 * Throw `PayloadTooLargeError` unless each opaque string (`input`, `output`, `error` of a run or
 * patch, `payload` of each entry) is at most `maxPayloadBytes` UTF-8 bytes. Each string is measured
 * on its own (ADR 0022); call it before writing anything, so a refused call writes nothing.
 */
export function assertPayloadSizes(
  adapter: string,
  runId: string,
  maxPayloadBytes: number,
  fields: Partial<Pick<RunRecord, 'input' | 'output' | 'error'>> | undefined,
  entries: readonly NewEntry[] = [],
): void {
  assertTextSize(adapter, runId, maxPayloadBytes, 'input', fields?.input);
  assertTextSize(adapter, runId, maxPayloadBytes, 'output', fields?.output);
  assertTextSize(adapter, runId, maxPayloadBytes, 'error', fields?.error);
  for (const entry of entries) {
    assertTextSize(adapter, runId, maxPayloadBytes, `payload of entry "${String(entry.key).slice(0, 100)}"`, entry.payload);
  }
}
