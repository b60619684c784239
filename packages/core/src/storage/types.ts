/**
 * The storage contract (DESIGN §4). Every adapter implements `DurableStore`; the engine is its only
 * caller in production. Rules every adapter keeps:
 * - every method returns a Promise; nothing is synchronous on the surface;
 * - `append` is atomic for the whole batch and its patch, and is a compare-and-set on `lastSeq`;
 * - `updateRun` is a compare-and-set on `version` and bumps it by one; `append` never reads or
 *   changes `version` (the two CAS domains are independent);
 * - `seq` is dense: entries of a run are numbered 1..lastSeq with no gap;
 * - adapters never read a clock or mint ids: the core passes `createdAt`, `updatedAt` and `runId`;
 * - adapters never parse `payload`, `input`, `output` or `error`: they are opaque strings;
 * - a missing run reads as `null`; mutating one throws `RunNotFoundError`;
 * - backend failures surface as `StorageUnavailableError` with `cause` and `retryable`.
 */

/** Lifecycle state of a run. */
export type RunStatus = 'running' | 'paused' | 'failed' | 'completed' | 'cancelled';

/** All statuses, in a stable order (for stats and validation). */
export const RUN_STATUSES: readonly RunStatus[] = ['running', 'paused', 'failed', 'completed', 'cancelled'];

/** Why a `paused` run is paused. */
export type PauseReason = 'approval' | 'event' | 'sleep' | 'manual' | 'budget';

/** Who drives a run, and until when. Correctness never depends on it (appends are fenced by CAS). */
export interface Lease {
  owner: string;
  expiresAt: number;
}

/** Token counts of a run, kept by the engine. */
export interface RunUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  /** Tokens not spent again because completed model steps were replayed from the journal. */
  savedTokens: number;
  /** Number of model calls made (not replayed). */
  modelCalls: number;
}

/** The run header. Adapters store it as they like and give it back field for field. */
export interface RunRecord {
  runId: string;
  workflow: string;
  status: RunStatus;
  /** Set when `status` is `paused`, otherwise `null`. */
  pauseReason: PauseReason | null;
  /** When a paused run should be woken by a resumer (due sleep, timeout, expiry), else `null`. */
  wakeAt: number | null;
  /** Bumped by every `updateRun`; the CAS token for header changes (leases, cancel requests). */
  version: number;
  /** Seq of the last journal entry; the CAS token for appends. */
  lastSeq: number;
  lease: Lease | null;
  /** Encoded input (core codec). */
  input: string;
  /** Encoded output when `completed`. */
  output: string | null;
  /** Encoded error when `failed` or `cancelled`. */
  error: string | null;
  usage: RunUsage;
  /** The step the run is at: its call index and name. */
  step: { index: number; name: string | null };
  /** Set by `updateRun` from another owner to ask the driver to cancel at the next step boundary. */
  cancelRequested: boolean;
  /** When the run was forked from another, which run and at which seq. */
  forkedFrom: { runId: string; atSeq: number } | null;
  /**
   * A small string map given at start (`sessionId`, `userId`, a tenant…): returned by `get` and
   * `list`, filterable by exact match. `null` when none. Limits: `assertMetadata`.
   */
  metadata: Record<string, string> | null;
  /**
   * When the run may be deleted once it has ended (retention), in ms since the epoch; `null` for
   * never. A run that has not ended is never deleted for it.
   */
  expiresAt: number | null;
  /** The run's attempt: 1, plus one for each retry in place (`runtime.retry`). */
  attempt: number;
  createdAt: number;
  updatedAt: number;
}

/** What `createRun` takes: a full header at version 0 and lastSeq 0. */
export type NewRun = Omit<RunRecord, 'version' | 'lastSeq'>;

/** A partial header update. `updatedAt` is mandatory so adapters never read a clock. */
export type RunPatch = Partial<Omit<RunRecord, 'runId' | 'workflow' | 'version' | 'lastSeq' | 'createdAt' | 'updatedAt'>> & {
  updatedAt: number;
};

/** Journal entry kinds (noun-verb). */
export type EntryKind =
  | 'run-start'
  | 'lease-take'
  | 'step-start'
  | 'step-end'
  | 'step-fail'
  | 'sleep-start'
  | 'signal-receive'
  | 'approval-request'
  | 'approval-decide'
  | 'run-end'
  /** A code change the run went through: a patch taken (`patch:<id>`) or an agent definition change. Not a call. */
  | 'change-mark'
  | 'run-retry';

/** All entry kinds (for validation). */
export const ENTRY_KINDS: readonly EntryKind[] = [
  'run-start',
  'lease-take',
  'step-start',
  'step-end',
  'step-fail',
  'sleep-start',
  'signal-receive',
  'approval-request',
  'approval-decide',
  'run-end',
  'change-mark',
  'run-retry',
];

/** An entry as the engine hands it to `append` (the store assigns `seq`). */
export interface NewEntry {
  kind: EntryKind;
  /** Step id (`fetch#0`), signal name or approval id. */
  key: string;
  /** Encoded payload (core codec); opaque to adapters. */
  payload: string;
  createdAt: number;
}

/** A stored journal entry. */
export interface JournalEntry extends NewEntry {
  seq: number;
}

/**
 * Filter and page of `listRuns`. Results are ordered by `createdAt` descending, then `runId`
 * descending (both immutable, so paging is exact while runs change; ADR 0020). Filters combine with
 * AND; `updatedBefore` is strict (`updatedAt < updatedBefore`); `status: []` matches nothing.
 */
export interface ListRunsQuery {
  status?: RunStatus[];
  workflow?: string;
  updatedBefore?: number;
  limit?: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

/** Which runs `deleteRuns` removes (all given conditions must hold). */
export interface DeleteRunsQuery {
  runIds?: string[];
  status?: RunStatus[];
  updatedBefore?: number;
}

/** Counts of runs by status. */
export interface StoreStats {
  total: number;
  byStatus: Record<RunStatus, number>;
}

/** The storage interface every adapter implements (DESIGN §4). */
export interface DurableStore {
  /** 'memory' | 'indexeddb' | 'durable-objects' | 'sqlite' | 'file' (or a third-party name). */
  readonly name: string;
  readonly limits: { maxPayloadBytes: number };
  /** Create a run at version 0, lastSeq 0. `RunExistsError` if the id is taken. */
  createRun(run: NewRun): Promise<RunRecord>;
  getRun(runId: string): Promise<RunRecord | null>;
  /** CAS on `version`; bumps it. `StorageConflictError` on mismatch, `RunNotFoundError` if missing. */
  updateRun(runId: string, expectedVersion: number, patch: RunPatch): Promise<RunRecord>;
  /** CAS on `lastSeq`; atomic with `patch`. Entries get seq expectedLastSeq+1…; version unchanged. */
  append(runId: string, expectedLastSeq: number, entries: NewEntry[], patch?: RunPatch): Promise<RunRecord>;
  /**
   * Entries with seq > afterSeq (default 0), ascending, at most `limit` (all when omitted; never a
   * silent cap). Missing run: `[]`. afterSeq < 0, limit < 1 or a fraction: `InvalidArgumentError`.
   */
  readEntries(runId: string, options?: { afterSeq?: number; limit?: number }): Promise<JournalEntry[]>;
  listRuns(query?: ListRunsQuery): Promise<{ runs: RunRecord[]; cursor?: string }>;
  /**
   * Delete runs and their journals; returns how many runs were deleted. All given conditions must
   * hold; at least one is required (`InvalidArgumentError` otherwise; ADR 0021).
   */
  deleteRuns(query: DeleteRunsQuery): Promise<number>;
  stats(): Promise<StoreStats>;
  /** Release handles. Further calls reject with `StorageUnavailableError`; `close` itself is idempotent. */
  close(): Promise<void>;
}
