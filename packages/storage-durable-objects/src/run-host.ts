/**
 * `createRunHost`: runs workflows and agents inside a Durable Object, over the object's own SQLite
 * store, and keeps them going with the object's alarm — so a run finishes even when the object is
 * reset mid-step and nobody sends it another request.
 *
 * Invariants:
 * - only the alarm resumes runs, never a request or the constructor; the alarm takes the due runs
 *   and returns without waiting for them (an object has one alarm: waiting would hold back every
 *   other wake). While a run is running, the alarm it re-arms at the run's lease expiry is also the
 *   heartbeat that keeps the object in memory;
 * - while a run is running, an alarm is armed no later than its lease expiry: armed before the run
 *   is created, checked before every step and on every resume, re-armed by every alarm. While a run
 *   is paused with a wake time, an alarm is armed no later than that time;
 * - the alarm is re-armed from the tables with synchronous SQL and set in the same turn, so no run
 *   can change between reading the due times and setting the alarm;
 * - the lease owner is new for every instance: the runs of a reset instance are taken over by its
 *   successor once their leases expire, and appends stay fenced by CAS whatever happens.
 */
import type { CreateRuntimeOptions, DurableStore, RunEvent, Runtime, SerializedError, StartOptions } from '@cairn/core';
import {
  CairnError,
  createRuntime,
  exportRun,
  InvalidArgumentError,
  importRun,
  nextRetentionAt,
  readRunEvents,
  serializeError,
} from '@cairn/core';
import { type AlarmStorage, createAlarmSchedule } from './alarm-schedule.ts';
import { createDurableObjectStore } from './durable-object-store.ts';
import { type HostCallResult, type RunHostApi, type RunHostMethod, serveHostCall } from './host-api.ts';
import { migrateTables } from './migrate.ts';
import { ADAPTER, tableNames } from './schema.ts';
import type { DurableObjectSqlStorage } from './sql-storage.ts';
import { createWakeQueries } from './wake-queries.ts';

/** The part of a Durable Object's `ctx` the host uses (a real `DurableObjectState` fits as is). */
export interface RunHostState {
  readonly storage: DurableObjectSqlStorage & AlarmStorage;
  blockConcurrencyWhile<T>(callback: () => Promise<T>): Promise<T>;
}

/** Options of `createRunHost`. */
export interface CreateRunHostOptions {
  /** The object's `ctx` (`this.ctx` in a class extending `DurableObject`). */
  ctx: RunHostState;
  /** The workflows and agents this object runs. Runs of other workflows are left alone. */
  workflows: CreateRuntimeOptions['workflows'];
  /** Lease of a driving instance, renewed every third of it (default 30 s). A reset object's run resumes within this. */
  leaseMs?: number;
  /** Default step retry policy. */
  retry?: CreateRuntimeOptions['retry'];
  /** Every event of every run of this object (a throwing listener is ignored). */
  onEvent?: (event: RunEvent) => void;
  debug?: CreateRuntimeOptions['debug'];
  /** Store table prefix (default `cairn_`). */
  tablePrefix?: string;
  /** Largest payload, in UTF-8 bytes (default 16 MiB). */
  maxPayloadBytes?: number;
  /** Most due runs one alarm resumes (default 100); the next alarm is set at once for the rest. */
  resumeBatch?: number;
  /**
   * Keep ended runs this long by final status (ms), e.g. `{ completed: 7 * 86400000 }`; each run's
   * own `expiresAt` applies too. Enforced by the object's alarm, which is armed for the next deletion.
   */
  retention?: CreateRuntimeOptions['retention'];
  /** `true`: delete a completed run as soon as it completes. */
  autoCleanup?: boolean;
}

/** What one `alarm()` did. */
export interface HostAlarmReport {
  /** Runs taken over (expired lease) or woken (due sleep or timeout). */
  resumed: string[];
  /** Due runs that could not be resumed; they are tried again after a back-off. */
  failed: Array<{ runId: string; error: SerializedError }>;
  /** When the alarm fires next (`null`: nothing left to wake). */
  nextAlarmAt: number | null;
}

/** A run host: the API its object serves, plus the object's alarm handler. */
export interface RunHost extends RunHostApi {
  readonly runtime: Runtime;
  readonly store: DurableStore;
  /** Settles once the tables are migrated and the alarm state is read (the constructor's `blockConcurrencyWhile`). */
  readonly ready: Promise<void>;
  /** The object's `alarm()`: resume due runs, then re-arm for the next due time. */
  alarm(): Promise<HostAlarmReport>;
  /** The earliest time a run of this object becomes due (maybe ≤ now), or `null`. */
  nextWakeAt(): Promise<number | null>;
  /** Body of the object's `cairnHostCall` RPC method. */
  serve(method: RunHostMethod, args: unknown[]): Promise<HostCallResult>;
}

const MAX_RETRY_GAP_MS = 15 * 60_000;

/**
 * Host runs in a Durable Object. Call it in the constructor; delegate `alarm()` and
 * `cairnHostCall` to it. The object's alarm belongs to the host.
 *
 * @example
 * export class Runs extends DurableObject<Env> implements RunHostEndpoint {
 *   readonly host = createRunHost({ ctx: this.ctx, workflows: [support, followUp] });
 *   cairnHostCall(method: RunHostMethod, args: unknown[]) {
 *     return this.host.serve(method, args);
 *   }
 *   async alarm() {
 *     await this.host.alarm();
 *   }
 * }
 */
export function createRunHost(options: CreateRunHostOptions): RunHost {
  const { ctx } = options;
  const leaseMs = options.leaseMs ?? 30_000;
  const batch = options.resumeBatch ?? 100;
  if (!Number.isSafeInteger(leaseMs) || leaseMs < 30) {
    throw new InvalidArgumentError(`[${ADAPTER}] leaseMs must be an integer ≥ 30, got ${leaseMs}`);
  }
  if (!Number.isSafeInteger(batch) || batch < 1) {
    throw new InvalidArgumentError(`[${ADAPTER}] resumeBatch must be a positive integer, got ${batch}`);
  }
  const tables = tableNames(options.tablePrefix);
  const store = createDurableObjectStore(ctx.storage, {
    ...(options.tablePrefix !== undefined ? { tablePrefix: options.tablePrefix } : {}),
    ...(options.maxPayloadBytes !== undefined ? { maxPayloadBytes: options.maxPayloadBytes } : {}),
  });
  const workflows = Array.isArray(options.workflows) ? options.workflows : Object.values(options.workflows);
  const wakes = createWakeQueries(
    ctx.storage.sql,
    tables,
    workflows.map((workflow) => workflow.name),
  );
  const log = (line: string): void => {
    if (options.debug === true) console.log(line);
    else if (typeof options.debug === 'function') options.debug(line);
  };
  const schedule = createAlarmSchedule(ctx.storage, (error) =>
    log(`[${ADAPTER}] setting the alarm failed: ${error instanceof Error ? error.message : String(error)}`),
  );
  let failedAlarms = 0;

  function watch(event: RunEvent): void {
    // The watchdog: whatever drives a run here, an alarm fires by the time its lease would expire.
    if (event.type === 'run-start' || event.type === 'run-resume' || event.type === 'step-start') {
      schedule.ensureBy(event.at + leaseMs);
    } else if (event.type === 'run-pause' && event.wakeAt !== null) {
      schedule.ensureBy(event.wakeAt);
    } else if (event.type === 'run-end' && (keepsRetention || seenExpiry)) {
      // Only objects that delete by retention scan their ended runs for the next deletion.
      void armRetention();
    }
    try {
      options.onEvent?.(event);
    } catch {
      // A listener must not break the run it listens to.
    }
  }

  const runtime = createRuntime({
    store,
    workflows: options.workflows,
    // New for every instance, so a reset object's leases are recognisably someone else's.
    owner: `do-${crypto.randomUUID()}`,
    leaseMs,
    autoWake: false,
    onEvent: watch,
    ...(options.retry !== undefined ? { retry: options.retry } : {}),
    ...(options.debug !== undefined ? { debug: options.debug } : {}),
    ...(options.retention !== undefined ? { retention: options.retention } : {}),
    ...(options.autoCleanup !== undefined ? { autoCleanup: options.autoCleanup } : {}),
  });
  const keepsRetention = options.retention !== undefined && Object.keys(options.retention).length > 0;
  /** A run of this instance was started with its own `expiresAt` (the alarm also finds older ones). */
  let seenExpiry = false;
  let scannedOnce = false;

  const ready = ctx.blockConcurrencyWhile(async () => {
    try {
      migrateTables(ctx.storage, tables);
    } catch {
      // The store reports it on every call and retries the migration; throwing here would reset the object.
    }
    await schedule.load();
  });

  /** Arm the alarm no later than the next retention deletion (an ended run's expiry or retention). */
  async function armRetention(): Promise<number | null> {
    const next = await nextRetentionAt(store, options.retention ?? {}).catch(() => null);
    if (next !== null) schedule.ensureBy(next);
    return next;
  }

  /** Set the alarm for the next due time; synchronous from the query to the write. */
  function rearm(more: boolean, failures: number): number | null {
    const now = Date.now();
    let next = wakes.next();
    if (more) next = now;
    else if (next !== null && next <= now) {
      // Something is due and was not taken (its resume failed): try again after a growing pause.
      next = now + Math.min(leaseMs * 2 ** Math.min(failures, 20), MAX_RETRY_GAP_MS);
    }
    schedule.set(next);
    return next;
  }

  const host: RunHost = {
    runtime,
    store,
    ready,

    async start(workflow, input, startOptions = {}) {
      await ready;
      if (typeof workflow !== 'string') {
        throw new InvalidArgumentError(`[${ADAPTER}] start: workflow must be the name of a registered workflow`);
      }
      const runOptions: StartOptions = {};
      if (typeof startOptions?.runId === 'string') runOptions.runId = startOptions.runId;
      if (typeof startOptions?.idempotencyKey === 'string') runOptions.idempotencyKey = startOptions.idempotencyKey;
      if (startOptions?.metadata !== undefined) runOptions.metadata = startOptions.metadata;
      if (startOptions?.expiresAt !== undefined) {
        runOptions.expiresAt = startOptions.expiresAt;
        seenExpiry = true;
      }
      // Armed before the run exists: an object reset right after creating it still has its watchdog.
      schedule.ensureBy(Date.now() + leaseMs);
      const handle = await runtime.start(workflow, input, runOptions);
      return runtime.get(handle.runId);
    },
    get: async (runId) => runtime.get(runId),
    list: async (query) => runtime.list(query),
    history: async (runId, historyOptions) => runtime.history(runId, historyOptions),
    signal: async (runId, name, payload) => runtime.signal(runId, name, payload),
    approve: async (runId, approvalId, decision) => runtime.approve(runId, approvalId, decision),
    cancel: async (runId, cancelOptions) => runtime.cancel(runId, cancelOptions),
    stats: async () => {
      await ready;
      return runtime.stats();
    },
    delete: async (runId, deleteOptions) => {
      await ready;
      return runtime.delete(runId, deleteOptions);
    },
    cleanup: async (cleanupOptions) => {
      await ready;
      return runtime.cleanup(cleanupOptions);
    },
    async fork(runId, forkOptions) {
      await ready;
      schedule.ensureBy(Date.now() + leaseMs);
      const handle = await runtime.fork(runId, forkOptions);
      return runtime.get(handle.runId);
    },
    async retry(runId, retryOptions) {
      await ready;
      schedule.ensureBy(Date.now() + leaseMs);
      await runtime.retry(runId, retryOptions);
      return runtime.get(runId);
    },
    async retryAll(query) {
      await ready;
      schedule.ensureBy(Date.now() + leaseMs);
      const report = await runtime.retryAll(query);
      return {
        retried: report.retried,
        failed: report.failed.map(({ runId, error }) => ({ runId, error: serializeError(error) })),
      };
    },
    events: async (runId, eventOptions) => {
      await ready;
      return readRunEvents(store, runId, eventOptions ?? {});
    },
    exportRun: async (runId) => {
      await ready;
      return exportRun(store, runId);
    },
    async importRun(document) {
      await ready;
      const record = await importRun(store, document);
      // An imported run that is due (running without a lease, or a wake time) is taken by the alarm.
      const next = wakes.next();
      if (next !== null) schedule.ensureBy(Math.max(next, Date.now()));
      return runtime.get(record.runId);
    },

    async alarm() {
      schedule.fired();
      await ready;
      const due = wakes.due(Date.now(), batch);
      const resumed: string[] = [];
      const failed: HostAlarmReport['failed'] = [];
      for (const runId of due) {
        try {
          await runtime.resume(runId);
          resumed.push(runId);
        } catch (error) {
          // Held: another drive got there first (a signal woke it). Anything else is retried later.
          if (!CairnError.is(error, 'lease-held')) failed.push({ runId, error: serializeError(error) });
        }
      }
      if (keepsRetention || seenExpiry || options.autoCleanup === true) await runtime.cleanup().catch(() => 0);
      failedAlarms = failed.length > 0 ? failedAlarms + 1 : 0;
      for (const { runId, error } of failed) log(`[${ADAPTER}] run "${runId}": the alarm could not resume it: ${error.message}`);
      let nextAlarmAt = rearm(due.length >= batch, failedAlarms);
      // The ended runs are scanned for the next deletion only where retention can apply: with a
      // retention option, once runs with an expiresAt were seen, and once per instance (a reset
      // object learns of the expiries its predecessor recorded).
      let retentionAt: number | null = null;
      if (keepsRetention || seenExpiry || !scannedOnce) {
        scannedOnce = true;
        retentionAt = await armRetention();
        if (retentionAt !== null) seenExpiry = true;
      }
      if (retentionAt !== null && (nextAlarmAt === null || retentionAt < nextAlarmAt)) nextAlarmAt = retentionAt;
      return { resumed, failed, nextAlarmAt };
    },

    async nextWakeAt() {
      await ready;
      return wakes.next();
    },

    serve: (method, args) => serveHostCall(host, method, args),
  };
  return host;
}
