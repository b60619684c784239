/**
 * Pure helpers shared by every adapter, so that each one applies patches, filters, orders, pages
 * and counts runs the same way. They read no clock and touch no I/O.
 */
import { InvalidArgumentError, StorageConflictError, RunNotFoundError } from '../errors.ts';
import type {
  DeleteRunsQuery,
  ListRunsQuery,
  NewRun,
  RunPatch,
  RunRecord,
  RunStatus,
  StoreStats,
} from './types.ts';
import { RUN_STATUSES } from './types.ts';
import { assertRunId } from './run-id.ts';

/** Default page size of `listRuns`, and its ceiling. */
export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

/** The record `createRun` stores for `run`: version 0, lastSeq 0. */
export function initialRecord(run: NewRun, adapter: string): RunRecord {
  assertRunId(run.runId, adapter);
  if (typeof run.workflow !== 'string' || run.workflow.length === 0) {
    throw new InvalidArgumentError(`[${adapter}] run "${run.runId}": workflow name must be a non-empty string`);
  }
  return { ...run, version: 0, lastSeq: 0 };
}

/** `record` with `patch` applied (fields absent from the patch are kept). */
export function applyPatch(record: RunRecord, patch: RunPatch | undefined): RunRecord {
  if (!patch) return record;
  const next = { ...record } as Record<string, unknown>;
  for (const [field, value] of Object.entries(patch)) {
    if (value !== undefined) next[field] = value;
  }
  return next as unknown as RunRecord;
}

/** The conflict error for a lost CAS, naming run, adapter and both values. */
export function conflictError(adapter: string, runId: string, what: 'version' | 'lastSeq', expected: number, actual: number): StorageConflictError {
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
  const dot = cursor.indexOf('.');
  const createdAt = Number(cursor.slice(0, dot));
  const runId = cursor.slice(dot + 1);
  if (dot <= 0 || !Number.isFinite(createdAt) || !/^[A-Za-z0-9_-]{1,128}$/.test(runId)) {
    throw new InvalidArgumentError(`[${adapter}] listRuns: malformed cursor ${JSON.stringify(cursor.slice(0, 160))}`);
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

/** Validate a delete query: at least one condition, so a bare call never wipes a store. */
export function assertDeleteQuery(query: DeleteRunsQuery, adapter: string): void {
  if (!query || (query.runIds === undefined && query.status === undefined && query.updatedBefore === undefined)) {
    throw new InvalidArgumentError(`[${adapter}] deleteRuns needs at least one of runIds, status, updatedBefore`);
  }
  for (const runId of query.runIds ?? []) assertRunId(runId, adapter);
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

/** Validate `append` arguments common to all adapters. */
export function assertAppendArguments(adapter: string, runId: string, expectedLastSeq: number, entries: readonly unknown[]): void {
  assertRunId(runId, adapter);
  if (!Number.isInteger(expectedLastSeq) || expectedLastSeq < 0) {
    throw new InvalidArgumentError(`[${adapter}] run "${runId}": expectedLastSeq must be a non-negative integer`);
  }
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new InvalidArgumentError(`[${adapter}] run "${runId}": append needs at least one entry`);
  }
}
