/**
 * The runtime's public types: its options and its API (DESIGN §6).
 */
import type { RunLocks } from '../../storage/run-locks.ts';
import type { DurableStore, RunStatus, StoreStats } from '../../storage/types.ts';
import type { Clock } from '../clock.ts';
import type { RunEvent } from '../events.ts';
import type { Backoff, RetryPolicy } from '../retry-policy.ts';
import type { HistoryItem, RunInfo } from '../run-info.ts';
import type { Workflow } from '../workflow.ts';
import type { ApprovalInput } from './deliver-external.ts';
import type { HistoryOptions, ListQuery, Retention } from './management.ts';
import type { RetryAllQuery, RetryOptions } from './retry-run.ts';
import type { RunHandle } from './run-handles.ts';
import type { ServeOptions, Server } from './serve-loop.ts';

/** Options of `createRuntime`. */
export interface CreateRuntimeOptions {
  store: DurableStore;
  // biome-ignore lint/suspicious/noExplicitAny: workflows of any input and output types
  workflows: Workflow<any, any>[] | Record<string, Workflow<any, any>>;
  /** Lease owner id (default: random per runtime). Give each live runtime its own. */
  owner?: string;
  /** Lease duration; renewed every third of it (default 30 s). */
  leaseMs?: number;
  /** Default step retry policy. */
  retry?: Partial<Omit<RetryPolicy, 'backoff'>> & { backoff?: Partial<Backoff> };
  clock?: Clock;
  random?: () => number;
  onEvent?: (event: RunEvent) => void;
  /** Print a readable trace (`true` → console.log), or pass a line sink. */
  debug?: boolean | ((line: string) => void);
  /** Per-run locks among peers (tabs, isolates). */
  locks?: RunLocks;
  /** Resume paused runs of this runtime when their wake time comes (default true). */
  autoWake?: boolean;
  /** Delete completed runs: `true` right after completion, or those older than `olderThanMs` on `resumeAll`. */
  autoCleanup?: boolean | { olderThanMs: number };
  /** How often `result()` polls the store for a run driven elsewhere (default 1000 ms). */
  pollMs?: number;
  /**
   * Keep ended runs this long (ms after they ended) by final status, e.g. `{ completed: 7 * 86400000 }`
   * (the seeds' `ttl`); absent statuses are kept. Applied, with each run's own `expiresAt`, by
   * `cleanup()`, `resumeAll()` with `autoCleanup`, and `serve()` (every 10 s at most).
   */
  retention?: Retention;
}

/** Options of `runtime.start`. */
export interface StartOptions {
  runId?: string;
  /** The same key with the same workflow and input is the same run (another key, another run). */
  idempotencyKey?: string;
  /**
   * `false`: store the run and return without driving it (a queue): a `serve()` loop — in this
   * process or another — picks it up. Default `true`: this runtime drives it now.
   */
  drive?: boolean;
  /**
   * A small string map kept with the run (`{ sessionId, userId }`), returned by `get` and `list`
   * and filterable by `list({ metadata })`. At most 32 keys (1-64 of `A-Z a-z 0-9 _ . : -`) to
   * strings of at most 512 characters.
   */
  metadata?: Record<string, string>;
  /** When the run may be deleted once it has ended (ms since the epoch); see `retention`. */
  expiresAt?: number;
}

/** The runtime API (DESIGN §6). */
export interface Runtime {
  readonly store: DurableStore;
  readonly owner: string;
  start<I, O>(workflow: Workflow<I, O> | string, input: I, options?: StartOptions): Promise<RunHandle<O>>;
  resume<O = unknown>(runId: string): Promise<RunHandle<O>>;
  /**
   * Continue a `failed` run in place: journals who retried it and why, keeps the run id, replays
   * every completed step and runs the failed step again (a `once` step with its idempotency key).
   * `RunNotRetryableError` for a run that is not failed (a cancelled run is final).
   */
  retry<O = unknown>(runId: string, options?: RetryOptions): Promise<RunHandle<O>>;
  /** Retry every failed run that matches (of this runtime's workflows). */
  retryAll(query?: RetryAllQuery): Promise<{ retried: string[]; failed: Array<{ runId: string; error: unknown }> }>;
  /** Resume every run left `running` with an expired lease and every paused run that is due. */
  resumeAll(): Promise<{ resumed: string[]; failed: Array<{ runId: string; error: unknown }> }>;
  handle<O = unknown>(runId: string): RunHandle<O>;
  signal(runId: string, name: string, payload?: unknown): Promise<void>;
  approve(runId: string, approvalId: string, decision: ApprovalInput): Promise<void>;
  cancel(runId: string, options?: { reason?: string }): Promise<void>;
  fork<O = unknown>(runId: string, options: { atSeq: number; input?: unknown; runId?: string }): Promise<RunHandle<O>>;
  get(runId: string): Promise<RunInfo>;
  /** The run's journal as history items; `{ afterSeq, limit }` reads one page of it. */
  history(runId: string, options?: HistoryOptions): Promise<HistoryItem[]>;
  /** A page of runs, newest first; `metadata` filters by exact match of every pair given. */
  list(query?: ListQuery): Promise<{ runs: RunInfo[]; cursor?: string }>;
  /** Counts of runs by status, and the store's backend name (`sqlite`, `indexeddb`…). */
  stats(): Promise<StoreStats & { backend: string }>;
  /** Delete a run and its journal. Refuses a run driven under a live lease unless `force`. */
  delete(runId: string, options?: { force?: boolean }): Promise<boolean>;
  /**
   * Delete runs: those of `status` (default: completed, failed, cancelled) last updated more than
   * `olderThanMs` ago when given, and always what `retention` and each run's `expiresAt` say. Runs
   * that have not ended are never deleted by retention. Returns how many were deleted.
   */
  cleanup(options?: { olderThanMs?: number; status?: RunStatus[] }): Promise<number>;
  /**
   * Start the worker loop: take over runs whose owner died (expired lease) or let go (released
   * lease), queued runs (`start(…, { drive: false })`) and paused runs that are due, up to
   * `concurrency` at once, polling every `pollMs`. `stop()` drains and releases its leases.
   */
  serve(options?: ServeOptions): Server;
  /**
   * Stop driving (nothing more is written), stop serving, cancel timers, and release the leases of
   * the runs it stopped so another process takes them over at once. The store stays open.
   */
  close(): Promise<void>;
}
