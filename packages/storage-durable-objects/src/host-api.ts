/**
 * The run host's API: the seven operations a Durable Object that hosts runs offers to the Worker in
 * front of it, and the one RPC method they travel through. Workers RPC keeps a thrown error's
 * message but drops its class, `code` and `retryable`, so, as for the store (ADR 0053), outcomes
 * cross the boundary as data and `createRunHostClient` rebuilds the errors (ADR 0056).
 */
import type {
  ApprovalInput,
  HistoryItem,
  HistoryOptions,
  RetryOptions,
  RunEventPage,
  RunInfo,
  RunStatus,
  SerializedError,
  StoreStats,
} from '@cairn/core';
import { InvalidArgumentError, serializeError } from '@cairn/core';
import { ADAPTER } from './schema.ts';

/** Options of `start`. */
export interface StartRunOptions {
  /** The run's id (validated); a taken id is a `RunExistsError`, which makes a retried start safe. */
  runId?: string;
  /** Same key, same run: a second start returns the existing run. */
  idempotencyKey?: string;
  /** A small string map kept with the run (`{ sessionId, userId }`), filterable by `list`. */
  metadata?: Record<string, string>;
  /** When the run may be deleted once it has ended (ms since the epoch). */
  expiresAt?: number;
}

/** A page query of `list`. */
export interface ListRunsOptions {
  status?: RunStatus[];
  workflow?: string;
  /** Only runs whose metadata has every one of these pairs. */
  metadata?: Record<string, string>;
  /** 1–1 000 (default 100). */
  limit?: number;
  cursor?: string;
}

/** Options of `fork`. */
export interface ForkRunOptions {
  /** Keep the source journal up to this seq. */
  atSeq: number;
  /** A new input (default: the source's). */
  input?: unknown;
  /** The fork's id (default: generated). */
  runId?: string;
}

/** What `retryAll` did. */
export interface RetryAllReport {
  retried: string[];
  failed: Array<{ runId: string; error: SerializedError }>;
}

/** What a run host does for its callers. Every method is safe to call over Workers RPC. */
export interface RunHostApi {
  /** Start a run of a registered workflow or agent; resolves once it is created and driving, not when it ends. */
  start(workflow: string, input: unknown, options?: StartRunOptions): Promise<RunInfo>;
  get(runId: string): Promise<RunInfo>;
  list(query?: ListRunsOptions): Promise<{ runs: RunInfo[]; cursor?: string }>;
  /** The run's journal as history items; `{ afterSeq, limit }` reads one page (the UI stream polls with it). */
  history(runId: string, options?: HistoryOptions): Promise<HistoryItem[]>;
  signal(runId: string, name: string, payload?: unknown): Promise<void>;
  approve(runId: string, approvalId: string, decision: ApprovalInput): Promise<void>;
  cancel(runId: string, options?: { reason?: string }): Promise<void>;
  /** Counts of runs by status and the backend name. */
  stats(): Promise<StoreStats & { backend: string }>;
  /** Delete a run and its journal; a run under a live lease is refused unless `force`. */
  delete(runId: string, options?: { force?: boolean }): Promise<boolean>;
  /** Delete old ended runs (`olderThanMs`) and what retention says; resolves with the count. */
  cleanup(options?: { olderThanMs?: number; status?: RunStatus[] }): Promise<number>;
  /** Copy a run's journal up to a seq into a new run and drive it; resolves once it is driving. */
  fork(runId: string, options: ForkRunOptions): Promise<RunInfo>;
  /** Continue a failed run in place (journaled: who, why); resolves once it is driving again. */
  retry(runId: string, options?: RetryOptions): Promise<RunInfo>;
  /** Retry every failed run of this object's workflows that matches. */
  retryAll(query?: RetryOptions & { workflow?: string; failedAfter?: number; limit?: number }): Promise<RetryAllReport>;
  /** A page of the run's journal as events, each with its `seq`, from `fromSeq` (default 1; ADR 0122). */
  events(runId: string, options?: { fromSeq?: number; limit?: number }): Promise<RunEventPage>;
  /** The run as a portable JSON-lines document (ADR 0120). */
  exportRun(runId: string): Promise<string>;
  /** Import a portable run document (refused whole if invalid or if the id exists); the imported run's info. */
  importRun(document: string): Promise<RunInfo>;
}

/** The operations, in the order of `RunHostApi`. */
export const RUN_HOST_METHODS = [
  'start',
  'get',
  'list',
  'history',
  'signal',
  'approve',
  'cancel',
  'stats',
  'delete',
  'cleanup',
  'fork',
  'retry',
  'retryAll',
  // Events and portable runs (ADR 0122).
  'events',
  'exportRun',
  'importRun',
] as const;

/** One operation of the run host. */
export type RunHostMethod = (typeof RUN_HOST_METHODS)[number];

/** The outcome of one host call, as plain data. */
export type HostCallResult = { ok: true; value: unknown } | { ok: false; error: SerializedError };

/**
 * What a Durable Object class hosting runs exposes over RPC: implement `cairnHostCall` with
 * `host.serve(method, args)`, and reach it from a Worker with `createRunHostClient(stub)`.
 */
export interface RunHostEndpoint {
  cairnHostCall(method: RunHostMethod, args: unknown[]): Promise<HostCallResult>;
}

/** Run one operation of `api` for a remote caller; every failure comes back as data. */
export async function serveHostCall(api: RunHostApi, method: RunHostMethod, args: unknown[]): Promise<HostCallResult> {
  try {
    if (!RUN_HOST_METHODS.includes(method) || !Array.isArray(args)) {
      throw new InvalidArgumentError(`[${ADAPTER}] ${JSON.stringify(String(method).slice(0, 40))} is not a run host method`);
    }
    const invoke = api[method] as (...callArgs: unknown[]) => Promise<unknown>;
    const value = await invoke.apply(api, args);
    return { ok: true, value: value ?? null };
  } catch (error) {
    return { ok: false, error: serializeError(error) };
  }
}
