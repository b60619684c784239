/**
 * `createRuntime`: starts, resumes and manages durable runs over one `DurableStore`.
 *
 * Invariants:
 * - at most one drive per run in a runtime; another runtime's live lease (or a peer's run lock)
 *   means `resume` refuses with `LeaseHeldError` rather than racing it;
 * - taking a run is a CAS on `version`; everything after is fenced by CAS on `lastSeq`;
 * - run ids are validated wherever they enter.
 */
import { decode, deserializeError, encode, type SerializedError } from '../codec.ts';
import {
  ApprovalAlreadyDecidedError,
  ApprovalNotFoundError,
  CairnError,
  InvalidArgumentError,
  LeaseHeldError,
  RunCancelledError,
  RunExistsError,
  RunFailedError,
  RunNotFoundError,
  WorkflowNotFoundError,
} from '../errors.ts';
import { initialRun } from '../storage/initial-run.ts';
import { assertRunId, newRunId } from '../storage/run-id.ts';
import type { HeldRunLock, RunLocks } from '../storage/run-locks.ts';
import type { DurableStore, JournalEntry, NewEntry, RunRecord, RunStatus } from '../storage/types.ts';
import { type Clock, systemClock, type TimerHandle } from './clock.ts';
import { createEventStream } from './event-stream.ts';
import { formatEvent, type RunEvent } from './events.ts';
import { encodeMeta, encodePayload } from './journal-format.ts';
import { type Backoff, DEFAULT_RETRY, type RetryPolicy, resolveRetry } from './retry-policy.ts';
import { type Drive, type DriveOutcome, startDrive } from './run-driver.ts';
import { type HistoryItem, pendingApprovals, type RunInfo, toHistory, toRunInfo } from './run-info.ts';
import { assertName, type Workflow } from './workflow.ts';

/** Options of `createRuntime`. */
export interface CreateRuntimeOptions {
  store: DurableStore;
  // biome-ignore lint/suspicious/noExplicitAny: workflows of any input and output types
  workflows: Workflow<any, any>[] | Record<string, Workflow<any, any>>;
  /** Lease owner id (default: random per runtime). */
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
}

/** A started or attached run. */
export interface RunHandle<O = unknown> {
  readonly runId: string;
  /** The output once the run completes (waits through pauses); rejects if it fails or is cancelled. */
  result(): Promise<O>;
  /** The run's info as soon as this runtime stops driving it (completed, failed, paused…). */
  settled(): Promise<RunInfo>;
  /** This runtime's events of the run, ending after `run-end`. */
  events(): AsyncIterable<RunEvent>;
}

/** What `approve` takes. */
export interface ApprovalInput {
  approved: boolean;
  /** Who decided (user id, email). Journaled for audit. */
  by: string;
  reason?: string;
  /** Data for the workflow (e.g. edited arguments, or `{ result }` for an unknown outcome). */
  data?: unknown;
}

/** The runtime API (DESIGN §6). */
export interface Runtime {
  readonly store: DurableStore;
  readonly owner: string;
  start<I, O>(
    workflow: Workflow<I, O> | string,
    input: I,
    options?: { runId?: string; idempotencyKey?: string },
  ): Promise<RunHandle<O>>;
  resume<O = unknown>(runId: string): Promise<RunHandle<O>>;
  /** Resume every run left `running` with an expired lease and every paused run that is due. */
  resumeAll(): Promise<{ resumed: string[]; failed: Array<{ runId: string; error: unknown }> }>;
  handle<O = unknown>(runId: string): RunHandle<O>;
  signal(runId: string, name: string, payload?: unknown): Promise<void>;
  approve(runId: string, approvalId: string, decision: ApprovalInput): Promise<void>;
  cancel(runId: string, options?: { reason?: string }): Promise<void>;
  fork<O = unknown>(runId: string, options: { atSeq: number; input?: unknown; runId?: string }): Promise<RunHandle<O>>;
  get(runId: string): Promise<RunInfo>;
  history(runId: string): Promise<HistoryItem[]>;
  list(query?: {
    status?: RunStatus[];
    workflow?: string;
    limit?: number;
    cursor?: string;
  }): Promise<{ runs: RunInfo[]; cursor?: string }>;
  stats(): ReturnType<DurableStore['stats']>;
  /** Delete a run and its journal. Refuses a run driven under a live lease unless `force`. */
  delete(runId: string, options?: { force?: boolean }): Promise<boolean>;
  /** Delete runs last updated more than `olderThanMs` ago (default statuses: completed, failed, cancelled). */
  cleanup(options: { olderThanMs: number; status?: RunStatus[] }): Promise<number>;
  /** Stop driving (nothing more is written), cancel timers. The store stays open. */
  close(): Promise<void>;
}

const TERMINAL: RunStatus[] = ['completed', 'failed', 'cancelled'];

async function idempotentRunId(key: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key)));
  return `idem_${[...digest.slice(0, 20)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * Create a runtime over a store.
 *
 * @example
 * const runtime = createRuntime({ store: createMemoryStore(), workflows: [greet] });
 * const run = await runtime.start(greet, 'Ada');
 * console.log(await run.result());
 */
export function createRuntime(options: CreateRuntimeOptions): Runtime {
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const owner = options.owner ?? `owner-${crypto.randomUUID()}`;
  const leaseMs = options.leaseMs ?? 30_000;
  const retry = resolveRetry(DEFAULT_RETRY, options.retry);
  const autoWake = options.autoWake ?? true;
  const pollMs = options.pollMs ?? 1000;
  const debug = options.debug === true ? (line: string) => console.log(line) : options.debug || undefined;
  const workflows = new Map<string, Workflow>();
  for (const wf of Array.isArray(options.workflows) ? options.workflows : Object.values(options.workflows)) {
    assertName(wf.name, 'workflow');
    workflows.set(wf.name, wf as Workflow);
  }
  const drives = new Map<string, Drive>();
  const wakeTimers = new Map<string, TimerHandle>();
  const listeners = new Map<string, Set<(event: RunEvent) => void>>();
  const changeWaiters = new Map<string, Set<() => void>>();
  let closed = false;

  const runWorkflow = new Map<string, string>();
  function emit(event: RunEvent): void {
    options.onEvent?.(event);
    const name = runWorkflow.get(event.runId);
    if (name) workflows.get(name)?.onEvent?.(event);
    for (const listener of listeners.get(event.runId) ?? []) listener(event);
    if (debug) debug(formatEvent(event));
  }

  function notifyChange(runId: string): void {
    const waiters = changeWaiters.get(runId);
    changeWaiters.delete(runId);
    for (const waiter of waiters ?? []) waiter();
  }

  function waitForChange(runId: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const set = changeWaiters.get(runId) ?? new Set();
      changeWaiters.set(runId, set);
      const done = (): void => {
        timer.cancel();
        set.delete(done);
        resolve();
      };
      const timer = clock.setTimer(ms, done);
      set.add(done);
    });
  }

  function workflowOf(name: string, runId: string): Workflow {
    const wf = workflows.get(name);
    if (!wf)
      throw new WorkflowNotFoundError(
        `[@cairn/core] run "${runId}": this runtime has no workflow "${name}" (registered: ${[...workflows.keys()].join(', ') || 'none'})`,
      );
    return wf;
  }

  function scheduleWake(runId: string, wakeAt: number): void {
    if (!autoWake || closed) return;
    wakeTimers.get(runId)?.cancel();
    wakeTimers.set(
      runId,
      clock.setTimer(wakeAt - clock.now(), () => {
        wakeTimers.delete(runId);
        void resumeQuietly(runId);
      }),
    );
  }

  function resumeQuietly(runId: string): Promise<void> {
    if (closed || drives.has(runId)) return Promise.resolve();
    return resume(runId).then(
      () => undefined,
      (error: unknown) => {
        if (!CairnError.is(error, 'lease-held')) debug?.(`[cairn] ${runId} resume failed: ${(error as Error).message}`);
      },
    );
  }

  function drive(
    record: RunRecord,
    entries: JournalEntry[],
    resumed: boolean,
    workflow: Workflow,
    lock: HeldRunLock | null,
  ): void {
    const runId = record.runId;
    runWorkflow.set(runId, workflow.name);
    wakeTimers.get(runId)?.cancel();
    wakeTimers.delete(runId);
    const lastSeq = entries.length > 0 ? entries[entries.length - 1]!.seq : 0;
    const d = startDrive({
      store,
      clock,
      owner,
      leaseMs,
      retry,
      random,
      emit,
      workflow,
      record: { ...record, lastSeq },
      entries,
      resumed,
    });
    drives.set(runId, d);
    lock?.signal?.addEventListener('abort', () => d.stop('run lock lost'), { once: true });
    void d.outcome
      .catch((error: unknown): DriveOutcome => ({ status: 'stopped', reason: 'internal error', error }))
      .then(async (outcome) => {
        drives.delete(runId);
        if (outcome.status === 'completed' || outcome.status === 'failed' || outcome.status === 'cancelled')
          remember(runId, outcome);
        lock?.release();
        if (outcome.status === 'paused') {
          if (outcome.recheck) void resumeQuietly(runId);
          else if (outcome.wakeAt !== null) scheduleWake(runId, outcome.wakeAt);
        }
        if (outcome.status === 'completed' && options.autoCleanup === true) {
          await store.deleteRuns({ runIds: [runId], status: ['completed'] }).catch(() => 0);
        }
        notifyChange(runId);
      });
  }

  async function acquireLock(runId: string): Promise<HeldRunLock | null> {
    if (!options.locks) return null;
    const lock = await options.locks.tryAcquire(runId);
    if (!lock) throw new LeaseHeldError(`[@cairn/core] run "${runId}" is driven by another peer (run lock held)`);
    return lock;
  }

  async function resume<O>(runId: string): Promise<RunHandle<O>> {
    assertRunId(runId);
    if (closed) throw new InvalidArgumentError('[@cairn/core] runtime is closed');
    if (drives.has(runId)) return handle<O>(runId);
    const record = await store.getRun(runId);
    if (!record) throw new RunNotFoundError(`[@cairn/core] run "${runId}" not found in store "${store.name}"`);
    if (record.status === 'completed' || record.status === 'cancelled') return handle<O>(runId);
    const workflow = workflowOf(record.workflow, runId);
    // With peer locks (tabs of one origin), holding the run's lock proves no live peer drives it:
    // a crashed or reloaded tab's lease need not run out first. Appends stay fenced by CAS.
    const lock = await acquireLock(runId);
    if (!lock && record.lease && record.lease.owner !== owner && record.lease.expiresAt > clock.now()) {
      throw new LeaseHeldError(
        `[@cairn/core] run "${runId}" is leased by "${record.lease.owner}" until ${new Date(record.lease.expiresAt).toISOString()}`,
      );
    }
    try {
      if (record.status === 'failed') {
        const tail = await store.readEntries(runId, { afterSeq: Math.max(0, record.lastSeq - 1) });
        if (tail.some((e) => e.kind === 'run-end')) {
          lock?.release();
          return handle<O>(runId);
        }
      }
      const now = clock.now();
      let taken: RunRecord;
      try {
        taken = await store.updateRun(runId, record.version, {
          updatedAt: now,
          status: 'running',
          pauseReason: null,
          wakeAt: null,
          error: null,
          lease: { owner, expiresAt: now + leaseMs },
        });
      } catch (error) {
        if (CairnError.is(error, 'storage-conflict'))
          throw new LeaseHeldError(`[@cairn/core] run "${runId}" was taken by another resumer first`, { cause: error });
        throw error;
      }
      const entries = await store.readEntries(runId);
      drive(taken, entries, true, workflow, lock);
      return handle<O>(runId);
    } catch (error) {
      if (!drives.has(runId)) lock?.release();
      throw error;
    }
  }

  async function start<I, O>(
    workflowOrName: Workflow<I, O> | string,
    input: I,
    startOptions: { runId?: string; idempotencyKey?: string } = {},
  ): Promise<RunHandle<O>> {
    if (closed) throw new InvalidArgumentError('[@cairn/core] runtime is closed');
    const name = typeof workflowOrName === 'string' ? workflowOrName : workflowOrName.name;
    const workflow = workflowOf(name, startOptions.runId ?? '(new)');
    const now = clock.now();
    const runId =
      startOptions.runId ??
      (startOptions.idempotencyKey !== undefined ? await idempotentRunId(startOptions.idempotencyKey) : newRunId(now));
    assertRunId(runId);
    const encodedInput = encode(input, { runId, what: 'run input', maxBytes: store.limits.maxPayloadBytes });
    // The starter drives the run, so it holds the run's peer lock like a resumer does: a peer's
    // resumeAll trusts a free lock over a live lease and would otherwise drive the run a second time.
    let lock: HeldRunLock | null;
    try {
      lock = await acquireLock(runId);
    } catch (error) {
      // Same key, and a peer already drives that run: hand it back.
      if (startOptions.idempotencyKey !== undefined && CairnError.is(error, 'lease-held')) return handle<O>(runId);
      throw error;
    }
    let record: RunRecord;
    try {
      record = await store.createRun(
        initialRun({ runId, workflow: name, input: encodedInput, createdAt: now, lease: { owner, expiresAt: now + leaseMs } }),
      );
    } catch (error) {
      lock?.release();
      if (startOptions.idempotencyKey !== undefined && error instanceof RunExistsError) {
        // Same key, same run: hand back the existing one (and pick it up if nobody drives it).
        await resume(runId).catch(() => undefined);
        return handle<O>(runId);
      }
      throw error;
    }
    runWorkflow.set(runId, name);
    emit({ type: 'run-start', runId, at: now, workflow: name });
    drive(record, [], false, workflow as Workflow, lock);
    return handle<O>(runId);
  }

  // Outcomes of runs that ended here, so `result()` answers even after autoCleanup deleted them.
  const ended = new Map<string, DriveOutcome>();
  function remember(runId: string, outcome: DriveOutcome): void {
    ended.delete(runId);
    ended.set(runId, outcome);
    if (ended.size > 1000) ended.delete(ended.keys().next().value as string);
  }

  async function settleOf<O>(runId: string): Promise<{ done: true; value: O } | { done: false }> {
    const local = ended.get(runId);
    if (local?.status === 'completed') return { done: true, value: local.output as O };
    const record = await store.getRun(runId);
    if (!record) throw new RunNotFoundError(`[@cairn/core] run "${runId}" not found in store "${store.name}"`);
    if (record.status === 'completed') return { done: true, value: toRunInfo(record).output as O };
    if (record.status === 'cancelled') throw new RunCancelledError(`[@cairn/core] run "${runId}" was cancelled`);
    if (record.status === 'failed' && !drives.has(runId)) {
      const error = record.error ? deserializeError(decode<SerializedError>(record.error)) : new Error('unknown error');
      throw new RunFailedError(runId, `[@cairn/core] run "${runId}" failed: ${error.message}`, { cause: error });
    }
    return { done: false };
  }

  function handle<O>(runId: string): RunHandle<O> {
    assertRunId(runId);
    return {
      runId,
      async result() {
        for (;;) {
          if (!drives.has(runId)) {
            const state = await settleOf<O>(runId);
            if (state.done) return state.value;
          }
          if (closed) throw new InvalidArgumentError(`[@cairn/core] runtime closed while waiting for run "${runId}"`);
          await waitForChange(runId, pollMs);
        }
      },
      async settled() {
        while (drives.has(runId)) await waitForChange(runId, pollMs);
        return get(runId);
      },
      events() {
        return createEventStream(listeners, runId);
      },
    };
  }

  async function get(runId: string): Promise<RunInfo> {
    assertRunId(runId);
    const record = await store.getRun(runId);
    if (!record) throw new RunNotFoundError(`[@cairn/core] run "${runId}" not found in store "${store.name}"`);
    const info = toRunInfo(record);
    if (record.status === 'paused' && record.pauseReason !== 'sleep')
      info.pendingApprovals = pendingApprovals(await store.readEntries(runId));
    return info;
  }

  /** Append an external entry to a run, through the local drive if there is one; wake a paused run. */
  async function deliverExternal(
    runId: string,
    entry: NewEntry,
    validate?: (entries: JournalEntry[] | null) => void,
  ): Promise<void> {
    for (let tries = 0; tries < 20; tries++) {
      const local = drives.get(runId);
      if (local && !validate) return local.deliver([entry]);
      const record = await store.getRun(runId);
      if (!record) throw new RunNotFoundError(`[@cairn/core] run "${runId}" not found in store "${store.name}"`);
      if (TERMINAL.includes(record.status))
        throw new InvalidArgumentError(`[@cairn/core] run "${runId}" is ${record.status}; it takes no more signals or decisions`);
      if (validate) validate(await store.readEntries(runId));
      const current = drives.get(runId);
      if (current) return current.deliver([entry]);
      try {
        const next = await store.append(runId, record.lastSeq, [entry], { updatedAt: clock.now() });
        // A sleeping run reads the signal when it reaches its wait; runs waiting for input wake now.
        if (next.status === 'paused' && next.pauseReason !== 'sleep') await wake(next);
        return;
      } catch (error) {
        if (!CairnError.is(error, 'storage-conflict')) throw error;
      }
    }
    throw new LeaseHeldError(`[@cairn/core] run "${runId}": could not deliver "${entry.key}" (the journal kept moving)`);
  }

  async function wake(record: RunRecord): Promise<void> {
    // Make the run due for any resumer, then resume it here if this runtime can.
    await store.updateRun(record.runId, record.version, { updatedAt: clock.now(), wakeAt: clock.now() }).catch(() => undefined);
    if (workflows.has(record.workflow)) await resumeQuietly(record.runId);
  }

  const runtime: Runtime = {
    store,
    owner,
    start,
    resume,
    handle,
    get,

    async resumeAll() {
      const resumed: string[] = [];
      const failed: Array<{ runId: string; error: unknown }> = [];
      const now = clock.now();
      let cursor: string | undefined;
      do {
        const page = await store.listRuns({ status: ['running', 'paused'], limit: 500, ...(cursor ? { cursor } : {}) });
        cursor = page.cursor;
        for (const run of page.runs) {
          if (drives.has(run.runId) || !workflows.has(run.workflow)) continue;
          const due =
            run.status === 'running'
              ? !run.lease || run.lease.expiresAt <= now || run.lease.owner === owner || options.locks !== undefined
              : run.wakeAt !== null && run.wakeAt <= now;
          if (!due) {
            if (run.status === 'paused' && run.wakeAt !== null) scheduleWake(run.runId, run.wakeAt);
            continue;
          }
          try {
            await resume(run.runId);
            resumed.push(run.runId);
          } catch (error) {
            if (!CairnError.is(error, 'lease-held')) failed.push({ runId: run.runId, error });
          }
        }
      } while (cursor);
      if (typeof options.autoCleanup === 'object')
        await runtime.cleanup({ olderThanMs: options.autoCleanup.olderThanMs, status: ['completed'] });
      return { resumed, failed };
    },

    async signal(runId, name, payload) {
      assertRunId(runId);
      assertName(name, 'signal');
      const now = clock.now();
      const entry: NewEntry = {
        kind: 'signal-receive',
        key: name,
        payload: encodePayload({}, payload, {
          runId,
          what: `payload of signal "${name}"`,
          maxBytes: store.limits.maxPayloadBytes,
        }),
        createdAt: now,
      };
      await deliverExternal(runId, entry);
    },

    async approve(runId, approvalId, decision) {
      assertRunId(runId);
      if (typeof decision?.approved !== 'boolean' || typeof decision.by !== 'string' || decision.by.length === 0) {
        throw new InvalidArgumentError(`[@cairn/core] run "${runId}": approve needs { approved: boolean, by: non-empty string }`);
      }
      const now = clock.now();
      const meta = {
        approved: decision.approved,
        by: decision.by,
        at: now,
        ...(decision.reason !== undefined ? { reason: decision.reason } : {}),
      };
      const payload = encodePayload(meta, decision.data, {
        runId,
        what: `data of approval "${approvalId}"`,
        maxBytes: store.limits.maxPayloadBytes,
      });
      const entry: NewEntry = { kind: 'approval-decide', key: approvalId, payload, createdAt: now };
      await deliverExternal(runId, entry, (entries) => {
        const list = entries ?? [];
        if (!list.some((e) => e.kind === 'approval-request' && e.key === approvalId)) {
          throw new ApprovalNotFoundError(`[@cairn/core] run "${runId}" has no approval "${approvalId}"`);
        }
        if (list.some((e) => e.kind === 'approval-decide' && e.key === approvalId)) {
          throw new ApprovalAlreadyDecidedError(`[@cairn/core] run "${runId}": approval "${approvalId}" was already decided`);
        }
      });
      emit({ type: 'approval-decide', runId, at: now, approvalId, approved: decision.approved, by: decision.by });
    },

    async cancel(runId, cancelOptions = {}) {
      assertRunId(runId);
      const reason = cancelOptions.reason ?? 'cancelled by request';
      const local = drives.get(runId);
      if (local) {
        local.cancel(reason);
        await waitUntilNotDriven(runId);
        return;
      }
      for (let tries = 0; tries < 20; tries++) {
        const record = await store.getRun(runId);
        if (!record) throw new RunNotFoundError(`[@cairn/core] run "${runId}" not found in store "${store.name}"`);
        if (TERMINAL.includes(record.status)) return;
        const now = clock.now();
        const liveElsewhere = record.status === 'running' && record.lease !== null && record.lease.expiresAt > now;
        try {
          if (liveElsewhere) {
            await store.updateRun(runId, record.version, { updatedAt: now, cancelRequested: true });
            return;
          }
          const error = {
            name: 'RunCancelledError',
            message: `[@cairn/core] run "${runId}" was cancelled: ${reason}`,
            code: 'run-cancelled' as const,
            retryable: false,
          };
          await store.append(
            runId,
            record.lastSeq,
            [{ kind: 'run-end', key: 'run', payload: encodeMeta({ status: 'cancelled', e: error }), createdAt: now }],
            {
              updatedAt: now,
              status: 'cancelled',
              pauseReason: null,
              wakeAt: null,
              lease: null,
              error: encode(error, { runId, what: 'error' }),
            },
          );
          wakeTimers.get(runId)?.cancel();
          emit({ type: 'run-end', runId, at: now, status: 'cancelled', usage: record.usage, error });
          notifyChange(runId);
          return;
        } catch (error) {
          if (!CairnError.is(error, 'storage-conflict')) throw error;
        }
      }
      throw new LeaseHeldError(`[@cairn/core] run "${runId}": could not cancel (the run kept changing)`);
    },

    async fork(runId, forkOptions) {
      assertRunId(runId);
      const source = await store.getRun(runId);
      if (!source) throw new RunNotFoundError(`[@cairn/core] run "${runId}" not found in store "${store.name}"`);
      const { atSeq } = forkOptions;
      if (!Number.isInteger(atSeq) || atSeq < 1 || atSeq > source.lastSeq) {
        throw new InvalidArgumentError(
          `[@cairn/core] fork of run "${runId}": atSeq must be an integer from 1 to ${source.lastSeq}`,
        );
      }
      const workflow = workflowOf(source.workflow, runId);
      const copied = (await store.readEntries(runId, { limit: atSeq })).filter((e) => e.kind !== 'run-end');
      const now = clock.now();
      const newId = forkOptions.runId ?? newRunId(now);
      assertRunId(newId);
      const input =
        'input' in forkOptions
          ? encode(forkOptions.input, { runId: newId, what: 'run input', maxBytes: store.limits.maxPayloadBytes })
          : source.input;
      const entries = copied.map(({ kind, key, payload, createdAt }) => ({ kind, key, payload, createdAt }));
      // Like start: the fork's driver holds its peer lock, so no peer's resumeAll drives it too.
      const lock = await acquireLock(newId);
      let record: RunRecord;
      try {
        await store.createRun(
          initialRun({
            runId: newId,
            workflow: source.workflow,
            input,
            createdAt: now,
            lease: { owner, expiresAt: now + leaseMs },
            forkedFrom: { runId, atSeq },
          }),
        );
        record = await store.append(newId, 0, entries, { updatedAt: now });
      } catch (error) {
        lock?.release();
        throw error;
      }
      runWorkflow.set(newId, workflow.name);
      emit({ type: 'run-start', runId: newId, at: now, workflow: workflow.name });
      drive(
        record,
        entries.map((e, i) => ({ ...e, seq: i + 1 })),
        true,
        workflow,
        lock,
      );
      return handle(newId);
    },

    async history(runId) {
      assertRunId(runId);
      const record = await store.getRun(runId);
      if (!record) throw new RunNotFoundError(`[@cairn/core] run "${runId}" not found in store "${store.name}"`);
      return toHistory(await store.readEntries(runId));
    },

    async list(query = {}) {
      const page = await store.listRuns(query);
      return { runs: page.runs.map(toRunInfo), ...(page.cursor ? { cursor: page.cursor } : {}) };
    },

    stats: () => store.stats(),

    async delete(runId, deleteOptions = {}) {
      assertRunId(runId);
      const record = await store.getRun(runId);
      if (!record) return false;
      const live = record.status === 'running' && record.lease !== null && record.lease.expiresAt > clock.now();
      if ((live || drives.has(runId)) && !deleteOptions.force) {
        throw new LeaseHeldError(
          `[@cairn/core] run "${runId}" is running under a live lease; cancel it first or pass { force: true }`,
        );
      }
      drives.get(runId)?.stop('run deleted');
      wakeTimers.get(runId)?.cancel();
      return (await store.deleteRuns({ runIds: [runId] })) > 0;
    },

    async cleanup({ olderThanMs, status }) {
      if (!Number.isFinite(olderThanMs) || olderThanMs < 0)
        throw new InvalidArgumentError('[@cairn/core] cleanup: olderThanMs must be a number ≥ 0');
      return store.deleteRuns({ updatedBefore: clock.now() - olderThanMs, status: status ?? TERMINAL });
    },

    async close() {
      closed = true;
      for (const timer of wakeTimers.values()) timer.cancel();
      wakeTimers.clear();
      const outcomes = [...drives.values()].map((d) => {
        d.stop('runtime closed');
        return d.outcome.catch(() => undefined);
      });
      await Promise.all(outcomes);
      for (const runId of [...changeWaiters.keys()]) notifyChange(runId);
    },
  };

  async function waitUntilNotDriven(runId: string): Promise<void> {
    while (drives.has(runId)) await waitForChange(runId, pollMs);
  }

  return runtime;
}
