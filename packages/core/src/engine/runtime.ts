/**
 * `createRuntime`: starts, resumes and manages durable runs over one `DurableStore`. This file
 * assembles the runtime from its parts and keeps its registry of workflows and drives:
 *   take-run (lease + fence) · drive/run-driver (one drive) · runtime/deliver-external (signals,
 *   decisions) · runtime/run-handles (result, settled) · runtime/management (read model) ·
 *   runtime/wake-timers · drive/run-end (cancel of an undriven run).
 *
 * Invariants:
 * - at most one drive per run in a runtime; another runtime's live lease (or a peer's run lock)
 *   means `resume` refuses with `LeaseHeldError` rather than racing it;
 * - taking a running run is a CAS on `version` and a journaled `lease-take` (the fence);
 *   everything after is fenced by CAS on `lastSeq`;
 * - a run started with an idempotency key is bound to its workflow and input: the same key with
 *   another workflow or input is refused, never answered with someone else's run;
 * - run ids are validated wherever they enter.
 */
import { encode } from '../codec.ts';
import { CairnError, InvalidArgumentError, LeaseHeldError, RunExistsError, WorkflowNotFoundError } from '../errors.ts';
import { assertExpiresAt, assertMetadata } from '../storage/helpers.ts';
import { initialRun } from '../storage/initial-run.ts';

type HeaderExtras = { metadata: Record<string, string> | null; expiresAt: number | null };

import { assertRunId, newRunId } from '../storage/run-id.ts';
import type { HeldRunLock } from '../storage/run-locks.ts';
import type { JournalEntry, RunRecord } from '../storage/types.ts';
import { systemClock } from './clock.ts';
import { type Drive, type DriveOutcome, startDrive } from './drive/run-driver.ts';
import { formatEvent, type RunEvent } from './events.ts';
import { DEFAULT_RETRY, resolveRetry } from './retry-policy.ts';
import { cancelNotDrivenHere } from './runtime/cancel-run.ts';
import { createExternalDelivery } from './runtime/deliver-external.ts';
import { assertSameStart, idempotentRunId } from './runtime/idempotency.ts';
import {
  applyRetention,
  checkRetention,
  cleanupRuns,
  deleteRun,
  getHistory,
  getRunInfo,
  listRunInfos,
  requireRun,
} from './runtime/management.ts';
import { resumeDue } from './runtime/resume-all.ts';
import { appendRetry, checkRetryOptions, type RetryOptions, retryFailed } from './runtime/retry-run.ts';
import { createRunWatch, type RunHandle } from './runtime/run-handles.ts';
import type { CreateRuntimeOptions, Runtime, StartOptions } from './runtime/runtime-types.ts';
import { type Server, startServing } from './runtime/serve-loop.ts';
import { takeRun } from './runtime/take-run.ts';
import { createWakeTimers } from './runtime/wake-timers.ts';
import { assertName, type Workflow } from './workflow.ts';

export type { ApprovalInput } from './runtime/deliver-external.ts';

/** How often a serve loop applies retention (ms). */
const RETENTION_SWEEP_MS = 10_000;

export type { RunHandle } from './runtime/run-handles.ts';
export type { CreateRuntimeOptions, Runtime } from './runtime/runtime-types.ts';

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
  if (typeof owner !== 'string' || owner.length === 0 || owner.length > 200)
    throw new InvalidArgumentError('[@cairn/core] createRuntime: owner must be a string of 1-200 characters');
  if (typeof leaseMs !== 'number' || !Number.isFinite(leaseMs) || leaseMs < 30 || leaseMs > 24 * 3600 * 1000)
    throw new InvalidArgumentError('[@cairn/core] createRuntime: leaseMs must be a finite number of ms from 30 to 86400000');
  const retry = resolveRetry(DEFAULT_RETRY, options.retry);
  const retention = checkRetention(options.retention);
  const autoWake = options.autoWake ?? true;
  const pollMs = options.pollMs ?? 1000;
  const debug = options.debug === true ? (line: string) => console.log(line) : options.debug || undefined;
  const workflows = new Map<string, Workflow>();
  for (const wf of Array.isArray(options.workflows) ? options.workflows : Object.values(options.workflows)) {
    assertName(wf.name, 'workflow');
    workflows.set(wf.name, wf as Workflow);
  }
  const drives = new Map<string, Drive>();
  const listeners = new Map<string, Set<(event: RunEvent) => void>>();
  const runWorkflow = new Map<string, string>();
  /** Settles when a run's drive here has ended and been cleaned up. */
  const driveEnds = new Map<string, Promise<void>>();
  const servers = new Set<Server>();
  let closed = false;

  function emit(event: RunEvent): void {
    options.onEvent?.(event);
    const name = runWorkflow.get(event.runId);
    if (name) workflows.get(name)?.onEvent?.(event);
    for (const listener of listeners.get(event.runId) ?? []) listener(event);
    if (debug) debug(formatEvent(event));
  }

  const watch = createRunWatch({
    store,
    clock,
    pollMs,
    listeners,
    isDriven: (runId) => drives.has(runId),
    isClosed: () => closed,
    get: (runId) => getRunInfo(store, runId),
  });
  const wakeTimers = createWakeTimers(
    clock,
    () => autoWake && !closed,
    (runId) => void resumeQuietly(runId),
  );
  const delivery = createExternalDelivery({
    store,
    clock,
    drives,
    emit,
    resumeQuietly,
    hasWorkflow: (name) => workflows.has(name),
  });
  const handle = <O>(runId: string): RunHandle<O> => watch.handle<O>(runId);

  function workflowOf(name: string, runId: string): Workflow {
    const wf = workflows.get(name);
    if (!wf)
      throw new WorkflowNotFoundError(
        `[@cairn/core] run "${runId}": this runtime has no workflow "${name}" (registered: ${[...workflows.keys()].join(', ') || 'none'})`,
        { runId },
      );
    return wf;
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
    takenAt: number,
  ): void {
    const runId = record.runId;
    runWorkflow.set(runId, workflow.name);
    wakeTimers.cancel(runId);
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
      takenAt,
      entries,
      resumed,
    });
    drives.set(runId, d);
    lock?.signal?.addEventListener('abort', () => d.stop('run lock lost'), { once: true });
    const ended = d.outcome
      .catch((error: unknown): DriveOutcome => ({ status: 'stopped', reason: 'internal error', error }))
      .then(async (outcome) => {
        drives.delete(runId);
        driveEnds.delete(runId);
        if (outcome.status === 'completed' || outcome.status === 'failed' || outcome.status === 'cancelled')
          watch.remember(runId, outcome);
        lock?.release();
        if (outcome.status === 'paused') {
          if (outcome.recheck) void resumeQuietly(runId);
          else if (outcome.wakeAt !== null) wakeTimers.schedule(runId, outcome.wakeAt);
        }
        if (outcome.status === 'completed' && options.autoCleanup === true)
          await store.deleteRuns({ runIds: [runId], status: ['completed'] }).catch(() => 0);
        watch.notify(runId);
      });
    driveEnds.set(runId, ended);
  }

  /** Retention on a serve poll: at most every RETENTION_SWEEP_MS (a sweep scans the ended runs). */
  let lastSweep = Number.NEGATIVE_INFINITY;
  async function retentionSweep(): Promise<unknown> {
    const now = clock.now();
    if (now - lastSweep < RETENTION_SWEEP_MS) return 0;
    lastSweep = now;
    return applyRetention(store, clock, retention);
  }

  /** Give up this owner's lease of a run it no longer drives, so another process takes it at once. */
  async function releaseLease(runId: string): Promise<void> {
    for (let tries = 0; tries < 5; tries++) {
      const record = await store.getRun(runId).catch(() => null);
      if (record?.status !== 'running' || record.lease?.owner !== owner || drives.has(runId)) return;
      try {
        await store.updateRun(runId, record.version, { updatedAt: clock.now(), lease: null });
        return;
      } catch (error) {
        if (!CairnError.is(error, 'storage-conflict')) return;
      }
    }
  }

  async function stopAndRelease(runId: string, reason: string): Promise<void> {
    drives.get(runId)?.stop(reason);
    await driveEnds.get(runId);
    await releaseLease(runId);
  }

  async function acquireLock(runId: string): Promise<HeldRunLock | null> {
    if (!options.locks) return null;
    const lock = await options.locks.tryAcquire(runId);
    if (!lock) throw new LeaseHeldError(`[@cairn/core] run "${runId}" is driven by another peer (run lock held)`, { runId });
    return lock;
  }

  async function resume<O>(runId: string): Promise<RunHandle<O>> {
    assertRunId(runId);
    if (closed) throw new InvalidArgumentError('[@cairn/core] runtime is closed');
    if (drives.has(runId)) return handle<O>(runId);
    const record = await requireRun(store, runId);
    if (record.status === 'completed' || record.status === 'cancelled') return handle<O>(runId);
    const workflow = workflowOf(record.workflow, runId);
    // With peer locks (tabs of one origin), holding the run's lock proves no live peer drives it:
    // a crashed or reloaded tab's lease need not run out first. Appends stay fenced by CAS.
    const lock = await acquireLock(runId);
    if (!lock && record.lease && record.lease.owner !== owner && record.lease.expiresAt > clock.now()) {
      throw new LeaseHeldError(
        `[@cairn/core] run "${runId}" is leased by "${record.lease.owner}" until ${new Date(record.lease.expiresAt).toISOString()}`,
        { runId },
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
      const taken = await takeRun(store, record, { owner, leaseMs, clock });
      drive(taken.record, taken.entries, true, workflow, lock, taken.takenAt);
      return handle<O>(runId);
    } catch (error) {
      if (!drives.has(runId)) lock?.release();
      throw error;
    }
  }

  async function retryRun<O>(runId: string, retryOptions?: RetryOptions): Promise<RunHandle<O>> {
    assertRunId(runId);
    if (closed) throw new InvalidArgumentError('[@cairn/core] runtime is closed');
    const who = checkRetryOptions(runId, retryOptions);
    const record = await requireRun(store, runId);
    const workflow = workflowOf(record.workflow, runId);
    const lock = await acquireLock(runId);
    try {
      const taken = await appendRetry(store, record, { owner, leaseMs, clock, ...who });
      const why = who.reason !== undefined ? { reason: who.reason } : {};
      emit({ type: 'run-retry', runId, at: taken.takenAt, attempt: taken.attempt, by: who.by, ...why });
      drive(taken.record, taken.entries, true, workflow, lock, taken.takenAt);
      return handle<O>(runId);
    } catch (error) {
      if (!drives.has(runId)) lock?.release();
      throw error;
    }
  }

  async function start<I, O>(
    workflowOrName: Workflow<I, O> | string,
    input: I,
    startOptions: StartOptions = {},
  ): Promise<RunHandle<O>> {
    if (closed) throw new InvalidArgumentError('[@cairn/core] runtime is closed');
    if (startOptions.drive !== undefined && typeof startOptions.drive !== 'boolean')
      throw new InvalidArgumentError('[@cairn/core] start: drive must be a boolean');
    const name = typeof workflowOrName === 'string' ? workflowOrName : workflowOrName?.name;
    const workflow = workflowOf(name, startOptions.runId ?? '(new)');
    const key = startOptions.idempotencyKey;
    if (key !== undefined && (typeof key !== 'string' || key.length === 0 || key.length > 1024))
      throw new InvalidArgumentError('[@cairn/core] start: idempotencyKey must be a string of 1-1024 characters');
    const now = clock.now();
    const runId = startOptions.runId ?? (key !== undefined ? await idempotentRunId(key) : newRunId(now));
    assertRunId(runId);
    const encodedInput = encode(input, { runId, what: 'run input', maxBytes: store.limits.maxPayloadBytes });
    const extra = headerExtras(runId, startOptions);
    if (startOptions.drive === false) return enqueue<O>(runId, name, encodedInput, now, key, extra);
    // The starter drives the run, so it holds the run's peer lock like a resumer does: a peer's
    // resumeAll trusts a free lock over a live lease and would otherwise drive the run a second time.
    let lock: HeldRunLock | null;
    try {
      lock = await acquireLock(runId);
    } catch (error) {
      // Same key, and a peer already drives that run: hand it back (after checking it is the same start).
      if (key !== undefined && CairnError.is(error, 'lease-held')) {
        await assertSameStart(store, runId, name, encodedInput, key);
        return handle<O>(runId);
      }
      throw error;
    }
    let record: RunRecord;
    try {
      record = await store.createRun(
        initialRun({
          runId,
          workflow: name,
          input: encodedInput,
          createdAt: now,
          lease: { owner, expiresAt: now + leaseMs },
          ...extra,
        }),
      );
    } catch (error) {
      lock?.release();
      if (key !== undefined && error instanceof RunExistsError) {
        // Same key, same workflow and input: hand back the existing run (and pick it up if nobody drives it).
        await assertSameStart(store, runId, name, encodedInput, key);
        await resume(runId).catch(() => undefined);
        return handle<O>(runId);
      }
      throw error;
    }
    runWorkflow.set(runId, name);
    emit({ type: 'run-start', runId, at: now, workflow: name });
    drive(record, [], false, workflow as Workflow, lock, now);
    return handle<O>(runId);
  }

  /** `start(…, { drive: false })`: the run is stored `running` with no lease, for a `serve` loop to take. */
  async function enqueue<O>(
    runId: string,
    name: string,
    encodedInput: string,
    now: number,
    key: string | undefined,
    extra: HeaderExtras,
  ): Promise<RunHandle<O>> {
    try {
      await store.createRun(initialRun({ runId, workflow: name, input: encodedInput, createdAt: now, lease: null, ...extra }));
    } catch (error) {
      if (key === undefined || !(error instanceof RunExistsError)) throw error;
      await assertSameStart(store, runId, name, encodedInput, key);
      return handle<O>(runId);
    }
    emit({ type: 'run-start', runId, at: now, workflow: name });
    for (const server of servers) void server.poll().catch(() => undefined);
    return handle<O>(runId);
  }

  /** Metadata and expiry of a new run, checked before anything is written. */
  function headerExtras(runId: string, startOptions: StartOptions): HeaderExtras {
    const metadata = startOptions.metadata ?? null;
    const expiresAt = startOptions.expiresAt ?? null;
    assertMetadata('@cairn/core', runId, metadata);
    assertExpiresAt('@cairn/core', runId, expiresAt);
    return { metadata: metadata && { ...metadata }, expiresAt };
  }

  const runtime: Runtime = {
    store,
    owner,
    start,
    resume,
    retry: retryRun,
    retryAll: (query = {}) => retryFailed({ store, query, retry: retryRun, hasWorkflow: (name) => workflows.has(name) }),
    handle,
    get: (runId) => getRunInfo(store, runId),
    history: (runId, options) => getHistory(store, runId, options),
    list: (query = {}) => listRunInfos(store, query),
    stats: async () => ({ ...(await store.stats()), backend: store.name }),
    signal: (runId, name, payload) => delivery.signal(runId, name, payload),
    approve: (runId, approvalId, decision) => delivery.approve(runId, approvalId, decision),

    resumeAll: () =>
      resumeDue({
        store,
        clock,
        owner,
        withLocks: options.locks !== undefined,
        isDriven: (runId) => drives.has(runId),
        hasWorkflow: (name) => workflows.has(name),
        resume,
        scheduleWake: wakeTimers.schedule,
        cleanup:
          typeof options.autoCleanup === 'object'
            ? () =>
                runtime.cleanup({
                  olderThanMs: (options.autoCleanup as { olderThanMs: number }).olderThanMs,
                  status: ['completed'],
                })
            : undefined,
      }),

    async cancel(runId, cancelOptions = {}) {
      assertRunId(runId);
      const reason = cancelOptions.reason ?? 'cancelled by request';
      const local = drives.get(runId);
      if (local) {
        local.cancel(reason);
        while (drives.has(runId)) await watch.waitForChange(runId, pollMs);
        return;
      }
      const ended = await cancelNotDrivenHere(store, clock, runId, reason);
      if (!ended) return;
      wakeTimers.cancel(runId);
      emit({ type: 'run-end', runId, at: ended.at, status: 'cancelled', usage: ended.usage, error: ended.error });
      watch.notify(runId);
    },

    async fork(runId, forkOptions) {
      const source = await requireRun(store, runId);
      const atSeq = forkOptions?.atSeq;
      if (typeof atSeq !== 'number' || !Number.isInteger(atSeq) || atSeq < 1 || atSeq > source.lastSeq)
        throw new InvalidArgumentError(
          `[@cairn/core] fork of run "${runId}": atSeq must be an integer from 1 to ${source.lastSeq}`,
          { runId },
        );
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
            metadata: source.metadata ?? null,
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
        now,
      );
      return handle(newId);
    },

    delete(runId, deleteOptions = {}) {
      return deleteRun(store, clock, runId, {
        force: deleteOptions.force === true,
        drivenHere: drives.has(runId),
        stopLocal() {
          drives.get(runId)?.stop('run deleted');
          wakeTimers.cancel(runId);
        },
      });
    },

    cleanup: (cleanupOptions) => cleanupRuns(store, clock, cleanupOptions, retention),

    serve(serveOptions) {
      if (closed) throw new InvalidArgumentError('[@cairn/core] runtime is closed');
      const server = startServing(
        {
          store,
          clock,
          owner,
          withLocks: options.locks !== undefined,
          drivenCount: () => drives.size,
          isDriven: (runId) => drives.has(runId),
          hasWorkflow: (name) => workflows.has(name),
          resume,
          driveEnded: (runId) => driveEnds.get(runId) ?? Promise.resolve(),
          stopAndRelease,
          sweep: retentionSweep,
        },
        serveOptions,
      );
      servers.add(server);
      return server;
    },

    async close() {
      closed = true;
      wakeTimers.cancelAll();
      await Promise.all([...servers].map((server) => server.stop({ drainMs: 0 })));
      // Stop every drive, then hand its lease back: another process may take the run at once.
      await Promise.all([...drives.keys()].map((runId) => stopAndRelease(runId, 'runtime closed')));
      watch.notifyAll();
    },
  };

  return runtime;
}
