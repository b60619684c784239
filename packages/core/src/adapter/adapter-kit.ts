/**
 * The adapter kit: everything a `DurableStore` does that is not its backend's. An adapter hands
 * `defineStore` its storage calls; the kit wraps each method once, so on every call:
 * - the closed check runs first (`StorageUnavailableError`, "store is closed");
 * - the contract's arguments are validated before the backend sees them (run ids, counters, entry
 *   batches, patches, payload sizes under `maxPayloadBytes`, read ranges, list and delete queries),
 *   so a refused call writes nothing;
 * - a failure that is not already a Cairn error is mapped once, with the `[adapter]` prefix;
 * - every failure is a rejected Promise, never a synchronous throw (ADR 0023).
 * No closure is allocated per call, nothing is copied or measured twice: the wrapper costs a few
 * comparisons on the hot path.
 */
import {
  CairnError,
  InvalidArgumentError,
  PayloadTooLargeError,
  RunExistsError,
  type RunNotFoundError,
  StorageUnavailableError,
} from '../errors.ts';
import {
  applyPatch,
  assertAppendArguments,
  assertDeleteQuery,
  assertPatchFields,
  assertPayloadSizes,
  assertUpdateArguments,
  conflictError,
  decodeCursor,
  initialRecord,
  type ListPosition,
  listLimit,
  notFoundError,
  readRange,
} from '../storage/helpers.ts';
import { assertRunId } from '../storage/run-id.ts';
import type {
  DeleteRunsQuery,
  DurableStore,
  JournalEntry,
  ListRunsQuery,
  NewEntry,
  RunPatch,
  RunRecord,
  StoreStats,
} from '../storage/types.ts';
import { resolveMaxPayloadBytes } from './payload-limit.ts';

/** A value, or a promise of it: backends may be synchronous (SQLite, Durable Objects) or not. */
export type Awaitable<T> = T | Promise<T>;

/** One page of `listRuns`. */
export interface RunPage {
  runs: RunRecord[];
  cursor?: string;
}

/**
 * What an adapter writes: its storage calls, with arguments already validated. Each method may be
 * synchronous or async; throwing (or rejecting) with a Cairn error passes it on, anything else is
 * mapped by `describeFailure`.
 */
export interface StoreBackend {
  /** Store `record` (version 0, lastSeq 0, payload sizes checked); throw `kit.exists(runId)` if taken. */
  createRun(record: RunRecord): Awaitable<RunRecord>;
  /** The run, or `null` when it does not exist (`runId` is valid). */
  getRun(runId: string): Awaitable<RunRecord | null>;
  /** Read, `kit.updated(...)`, write — in one transaction. */
  updateRun(runId: string, expectedVersion: number, patch: RunPatch): Awaitable<RunRecord>;
  /** Read, `kit.appended(...)`, insert entries seq expectedLastSeq+1… and write — in one transaction. */
  append(runId: string, expectedLastSeq: number, entries: NewEntry[], patch: RunPatch | undefined): Awaitable<RunRecord>;
  /** Entries with seq > afterSeq ascending, at most `limit` (all when `undefined`); `[]` for a missing run. */
  readEntries(runId: string, afterSeq: number, limit: number | undefined): Awaitable<JournalEntry[]>;
  /** One page of runs matching `query` after `position` in listing order (see `pageOf`, `listFrom`). */
  listRuns(query: ListRunsQuery | undefined, limit: number, position: ListPosition | undefined): Awaitable<RunPage>;
  /** Delete the runs matching the validated `query` (`matchesDelete`); how many were deleted. */
  deleteRuns(query: DeleteRunsQuery): Awaitable<number>;
  /** Counts by status (see `statsOf`). */
  stats(): Awaitable<StoreStats>;
  /** Release the backend's handles; called once, on the first `close()`. */
  close(): Awaitable<void>;
}

/** How a backend failure is reported: the reason shown after "failed: ", and whether a retry can help. */
export interface BackendFailure {
  reason: string;
  retryable?: boolean;
  /** The failure is a platform size limit: surface it as `PayloadTooLargeError`. */
  tooLarge?: boolean;
}

/** Options of `createAdapterKit`. */
export interface CreateAdapterKitOptions {
  /** Package name every message starts with, in brackets: `@cairn/storage-node` → `[@cairn/storage-node] …`. */
  adapter: string;
  /** Word naming the store after the prefix when a package has several (`sqlite`, `file`). */
  label?: string;
  /** Where the store lives, shown when it is used after `close()`: `database "app"` → `[adapter] database "app": the store is closed`. */
  location?: string;
  /** The user's `maxPayloadBytes` option (validated here). */
  maxPayloadBytes?: number;
  /** Limit when the option is absent. */
  defaultMaxPayloadBytes: number;
  /** Largest accepted option (default `Number.MAX_SAFE_INTEGER`). */
  maxPayloadBytesCeiling?: number;
  /** Reason and retryability of a backend failure (default: its message, not retryable). */
  describeFailure?: (error: unknown) => BackendFailure;
}

/**
 * One store's kit: its error messages, limit, closed state and compare-and-set helpers. Create one
 * per store handle with `createAdapterKit`, then `defineStore(kit, name, backend)`.
 */
export interface AdapterKit {
  /** The package name of the prefix. */
  readonly adapter: string;
  /** The store's limits, as `DurableStore.limits`. */
  readonly limits: { readonly maxPayloadBytes: number };
  /** True once `close()` was called on the store. */
  readonly closed: boolean;
  /** Throw `StorageUnavailableError` if the store was closed (for work that resumes after an await). */
  assertOpen(): void;
  /** `[adapter] label run "id": text` (the run part when `runId` is given). */
  message(runId: string | undefined, text: string): string;
  /** `RunExistsError` for `runId`. */
  exists(runId: string): RunExistsError;
  /** `RunNotFoundError` for `runId` (a mutation of a missing run). */
  notFound(runId: string): RunNotFoundError;
  /** The contract error for a failure of `operation`: Cairn errors pass through, others are described. */
  toStoreError(error: unknown, operation: string, runId?: string): CairnError;
  /**
   * CAS on version, one line: `current` patched with `patch` and version + 1; `RunNotFoundError` when
   * `current` is missing, `StorageConflictError` when its version is not `expectedVersion`.
   */
  updated(runId: string, current: RunRecord | null | undefined, expectedVersion: number, patch: RunPatch): RunRecord;
  /**
   * CAS on lastSeq, one line: `current` patched with `patch` and lastSeq + `count` (version kept);
   * `RunNotFoundError` when missing, `StorageConflictError` when its lastSeq is not `expectedLastSeq`.
   */
  appended(
    runId: string,
    current: RunRecord | null | undefined,
    expectedLastSeq: number,
    count: number,
    patch: RunPatch | undefined,
  ): RunRecord;
}

interface KitState extends AdapterKit {
  close(): boolean;
}

/**
 * A kit for one store handle.
 *
 * @example
 * const kit = createAdapterKit({ adapter: '@acme/cairn-kv', defaultMaxPayloadBytes: 1 << 20, maxPayloadBytes });
 * return defineStore(kit, 'kv', { createRun(record) { … }, … });
 */
export function createAdapterKit(options: CreateAdapterKitOptions): AdapterKit {
  const { adapter, describeFailure } = options;
  const lead = options.label === undefined ? `[${adapter}] ` : `[${adapter}] ${options.label} `;
  const maxPayloadBytes = resolveMaxPayloadBytes(
    adapter,
    options.maxPayloadBytes,
    options.defaultMaxPayloadBytes,
    options.maxPayloadBytesCeiling,
  );
  const closedMessage = `${lead}${options.location === undefined ? 'store is closed' : `${options.location}: the store is closed`}`;
  let closed = false;

  const kit: KitState = {
    adapter,
    limits: { maxPayloadBytes },
    get closed() {
      return closed;
    },
    assertOpen() {
      if (closed) throw new StorageUnavailableError(closedMessage);
    },
    message(runId, text) {
      return runId === undefined ? `${lead}${text}` : `${lead}run "${runId}": ${text}`;
    },
    exists(runId) {
      return new RunExistsError(`[${adapter}] run "${runId}" already exists`, { adapter, runId });
    },
    notFound(runId) {
      return notFoundError(adapter, runId);
    },
    toStoreError(error, operation, runId) {
      if (CairnError.is(error)) return error;
      const failure = describeFailure?.(error) ?? { reason: error instanceof Error ? error.message : String(error) };
      const reason = failure.reason.length > 200 ? `${failure.reason.slice(0, 200)}…` : failure.reason;
      // Run ids are valid once past the kit's checks; one from elsewhere (an RPC client) is bounded.
      const shownId = runId?.slice(0, 140);
      const about = shownId === undefined ? '' : `run "${shownId}": `;
      const text = `${lead}${about}${operation} failed${reason ? `: ${reason}` : ''}`;
      const facts = shownId === undefined ? { adapter } : { adapter, runId: shownId };
      if (failure.tooLarge) return new PayloadTooLargeError(text, { cause: error, ...facts });
      return new StorageUnavailableError(text, { cause: error, retryable: failure.retryable === true, ...facts });
    },
    updated(runId, current, expectedVersion, patch) {
      if (!current) throw kit.notFound(runId);
      if (current.version !== expectedVersion) throw conflictError(adapter, runId, 'version', expectedVersion, current.version);
      return { ...applyPatch(current, patch), version: current.version + 1 };
    },
    appended(runId, current, expectedLastSeq, count, patch) {
      if (!current) throw kit.notFound(runId);
      if (current.lastSeq !== expectedLastSeq) throw conflictError(adapter, runId, 'lastSeq', expectedLastSeq, current.lastSeq);
      return { ...applyPatch(current, patch), lastSeq: expectedLastSeq + count };
    },
    close() {
      if (closed) return false;
      closed = true;
      return true;
    },
  };
  return kit;
}

function isThenable<T>(value: Awaitable<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

// A programming error (null where an object belongs) is an invalid argument, never a TypeError that
// would be mapped to "storage unavailable".
function assertNewRunObject(kit: AdapterKit, run: unknown): void {
  if (typeof run !== 'object' || run === null || Array.isArray(run))
    throw new InvalidArgumentError(kit.message(undefined, 'createRun needs a run object'));
}

function assertEntryObjects(kit: AdapterKit, runId: string, entries: readonly unknown[]): void {
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index];
    if (typeof entry !== 'object' || entry === null)
      throw new InvalidArgumentError(kit.message(runId, `entry ${index} must be an object`));
  }
}

function assertPatchObject(kit: AdapterKit, runId: string, patch: unknown): void {
  if (patch !== undefined && (typeof patch !== 'object' || patch === null || Array.isArray(patch)))
    throw new InvalidArgumentError(kit.message(runId, 'patch must be an object'));
}

/**
 * The `DurableStore` over `backend`: each method is wrapped once (closed check, validation, error
 * mapping; see the top of this file) and `close()` is idempotent.
 *
 * @example
 * const kit = createAdapterKit({ adapter: '@acme/cairn-kv', defaultMaxPayloadBytes: 1 << 20 });
 * export const store = defineStore(kit, 'kv', backend);
 */
export function defineStore(kit: AdapterKit, name: string, backend: StoreBackend): DurableStore {
  const state = kit as KitState;
  const { adapter } = kit;
  const { maxPayloadBytes } = kit.limits;
  return {
    name,
    limits: kit.limits,

    async createRun(run) {
      const runId = typeof run?.runId === 'string' ? run.runId : undefined;
      try {
        kit.assertOpen();
        assertNewRunObject(kit, run);
        const record = initialRecord(run, adapter);
        assertPayloadSizes(adapter, record.runId, maxPayloadBytes, record);
        const result = backend.createRun(record);
        return isThenable(result) ? await result : result;
      } catch (error) {
        throw kit.toStoreError(error, 'createRun', runId);
      }
    },

    async getRun(runId) {
      try {
        kit.assertOpen();
        assertRunId(runId, adapter);
        const result = backend.getRun(runId);
        return isThenable(result) ? await result : result;
      } catch (error) {
        throw kit.toStoreError(error, 'getRun', typeof runId === 'string' ? runId : undefined);
      }
    },

    async updateRun(runId, expectedVersion, patch) {
      try {
        kit.assertOpen();
        assertUpdateArguments(adapter, runId, expectedVersion);
        assertPatchObject(kit, runId, patch);
        assertPayloadSizes(adapter, runId, maxPayloadBytes, patch);
        assertPatchFields(adapter, runId, patch);
        const result = backend.updateRun(runId, expectedVersion, patch);
        return isThenable(result) ? await result : result;
      } catch (error) {
        throw kit.toStoreError(error, 'updateRun', typeof runId === 'string' ? runId : undefined);
      }
    },

    async append(runId, expectedLastSeq, entries, patch) {
      try {
        kit.assertOpen();
        assertAppendArguments(adapter, runId, expectedLastSeq, entries);
        assertEntryObjects(kit, runId, entries);
        assertPatchObject(kit, runId, patch);
        assertPayloadSizes(adapter, runId, maxPayloadBytes, patch, entries);
        assertPatchFields(adapter, runId, patch);
        const result = backend.append(runId, expectedLastSeq, entries, patch);
        return isThenable(result) ? await result : result;
      } catch (error) {
        throw kit.toStoreError(error, 'append', typeof runId === 'string' ? runId : undefined);
      }
    },

    async readEntries(runId, options) {
      try {
        kit.assertOpen();
        const { afterSeq, limit } = readRange(adapter, runId, options);
        const result = backend.readEntries(runId, afterSeq, limit);
        return isThenable(result) ? await result : result;
      } catch (error) {
        throw kit.toStoreError(error, 'readEntries', typeof runId === 'string' ? runId : undefined);
      }
    },

    async listRuns(query) {
      try {
        kit.assertOpen();
        const limit = listLimit(query, adapter);
        const position = query?.cursor === undefined ? undefined : decodeCursor(query.cursor, adapter);
        const result = backend.listRuns(query, limit, position);
        return isThenable(result) ? await result : result;
      } catch (error) {
        throw kit.toStoreError(error, 'listRuns');
      }
    },

    async deleteRuns(query) {
      try {
        kit.assertOpen();
        assertDeleteQuery(query, adapter);
        const result = backend.deleteRuns(query);
        return isThenable(result) ? await result : result;
      } catch (error) {
        throw kit.toStoreError(error, 'deleteRuns');
      }
    },

    async stats() {
      try {
        kit.assertOpen();
        const result = backend.stats();
        return isThenable(result) ? await result : result;
      } catch (error) {
        throw kit.toStoreError(error, 'stats');
      }
    },

    async close() {
      if (!state.close()) return;
      try {
        await backend.close();
      } catch (error) {
        throw kit.toStoreError(error, 'close');
      }
    },
  };
}
