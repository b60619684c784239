/**
 * The `ctx` a workflow runs with. Each call takes the next call index and a step id
 * (`name#n`, n counting calls of that name), then either replays what the journal recorded at
 * that id (no I/O) or executes for real and journals the outcome.
 *
 * Invariants:
 * - call indexes and step ids are assigned synchronously, in call order, so parallel steps get
 *   the same ids on every execution;
 * - the id recorded at a call index must be the id asked for there, else NonDeterminismError;
 * - a replayed failure and a live failure throw the same reconstructed error (same name, message,
 *   code), so workflow code that catches it behaves the same on replay;
 * - once the drive must stop (cancel, suspend, lost run), ctx calls never settle: the workflow
 *   function is abandoned at its next await instead of running on with stale state.
 */
import { decode, deserializeError } from '../codec.ts';
import { CairnError, InvalidArgumentError, NonDeterminismError, OutcomeUnknownError, SignalTimeoutError } from '../errors.ts';
import type { NewEntry, RunPatch } from '../storage/types.ts';
import { delay } from './clock.ts';
import type { DriverState } from './driver-state.ts';
import {
  type ApprovalDecidePayload,
  encodeMeta,
  encodePayload,
  errorPayload,
  isEncodingError,
  type StepUsage,
} from './journal-format.ts';
import { nextDelay, resolveRetry } from './retry-policy.ts';
import { type ApprovalDecision, assertName, type StepContext, type StepOptions, type WorkflowContext } from './workflow.ts';

const APPROVAL_ID = /^[A-Za-z0-9_.:#@/-]{1,200}$/;

/** A promise that never settles: the workflow is abandoned at this await. */
function never<T>(): Promise<T> {
  return new Promise<T>(() => {});
}

/** Create the context of one drive. */
export function createWorkflowContext(state: DriverState): WorkflowContext {
  const { runId, clock, replay } = state;
  const maxBytes = state.store.limits.maxPayloadBytes;

  function slot(name: string): { index: number; id: string } {
    const index = state.nextCallIndex++;
    const n = state.nameCounters.get(name) ?? 0;
    state.nameCounters.set(name, n + 1);
    const id = `${name}#${n}`;
    if (index >= replay.recordedCalls) state.replayEnd();
    const recorded = replay.callIds.get(index);
    if (recorded && recorded.id !== id) {
      const error = new NonDeterminismError(
        `[@cairn/core] run "${runId}": non-determinism at call ${index} (seq ${recorded.seq}): the journal recorded "${recorded.id}", the workflow code now asks for "${id}"`,
      );
      state.signalControl({ type: 'stop', reason: 'non-determinism', error });
      throw error;
    }
    return { index, id };
  }

  function stepPatch(index: number, name: string): RunPatch {
    return { updatedAt: clock.now(), step: { index, name }, usage: { ...state.usage } };
  }

  function commit(entries: NewEntry[], patch?: RunPatch) {
    return state.queue.commit(entries, patch);
  }

  /** Run `body` as tracked work; if the drive is stopping, never settle. */
  async function op<T>(body: () => Promise<T>): Promise<T> {
    if (state.control) return never();
    state.pendingOps++;
    try {
      return await body();
    } catch (error) {
      if (state.control) return never();
      throw error;
    } finally {
      state.pendingOps--;
      state.checkQuiescence();
    }
  }

  function addUsage(usage: StepUsage | undefined, replayed: boolean): void {
    if (!usage) return;
    const tokens = usage.inputTokens + usage.outputTokens;
    state.usage.inputTokens += usage.inputTokens;
    state.usage.outputTokens += usage.outputTokens;
    state.usage.totalTokens += tokens;
    state.usage.modelCalls += 1;
    if (replayed) {
      state.savedThisDrive += tokens;
      state.usage.savedTokens += tokens;
    }
  }

  async function recordFailure(
    id: string,
    index: number,
    name: string,
    error: unknown,
    attempts: number,
    startedAt: number,
  ): Promise<never> {
    const serialized = errorPayload(error);
    const now = clock.now();
    const payload = encodeMeta({ i: index, e: serialized, a: attempts, t: startedAt, d: now - startedAt });
    await commit([{ kind: 'step-fail', key: id, payload, createdAt: now }], stepPatch(index, name));
    state.emit({ type: 'step-fail', runId, at: now, stepId: id, name, index, replayed: false, error: serialized });
    throw deserializeError(serialized);
  }

  async function recordResult<T>(
    id: string,
    index: number,
    name: string,
    value: T,
    attempts: number,
    startedAt: number,
    usage?: StepUsage,
    extra: Record<string, unknown> = {},
  ): Promise<T> {
    const now = clock.now();
    const meta = { i: index, a: attempts, t: startedAt, d: now - startedAt, ...(usage ? { u: usage } : {}), ...extra };
    const payload = encodePayload(meta, value, { runId, what: `result of step "${id}"`, maxBytes });
    addUsage(usage, false);
    await commit([{ kind: 'step-end', key: id, payload, createdAt: now }], stepPatch(index, name));
    state.emit({
      type: 'step-end',
      runId,
      at: now,
      stepId: id,
      name,
      index,
      replayed: false,
      durationMs: now - startedAt,
      attempts,
      ...(usage ? { usage } : {}),
    });
    return value;
  }

  async function execute<T>(
    id: string,
    index: number,
    name: string,
    fn: (ctx: StepContext) => Promise<T> | T,
    options: StepOptions<T>,
    idempotencyKey: string | undefined,
  ): Promise<T> {
    const policy = resolveRetry(state.retry, options.retry);
    const startedAt = clock.now();
    for (let attempt = 1; ; attempt++) {
      // Without a timeout the attempt shares the run's signal: no allocation on the hot path.
      const attemptAbort = options.timeoutMs === undefined ? undefined : new AbortController();
      const signal = attemptAbort ? attemptAbort.signal : state.abort.signal;
      const onRunAbort = (): void => attemptAbort?.abort(state.abort.signal.reason);
      if (attemptAbort) state.abort.signal.addEventListener('abort', onRunAbort, { once: true });
      const timer =
        attemptAbort === undefined || options.timeoutMs === undefined
          ? undefined
          : clock.setTimer(options.timeoutMs, () =>
              attemptAbort.abort(
                new CairnError('aborted', `[@cairn/core] run "${runId}": step "${id}" timed out after ${options.timeoutMs} ms`, {
                  retryable: true,
                }),
              ),
            );
      state.emit({
        type: 'step-start',
        runId,
        at: clock.now(),
        stepId: id,
        name,
        index,
        attempt,
        effect: options.effect ?? 'retry',
      });
      const stepContext: StepContext = {
        runId,
        stepId: id,
        idempotencyKey,
        attempt,
        signal,
        emit: (event) =>
          state.emit({ ...event, runId, at: clock.now(), ...(event.type === 'text-delta' ? { stepId: id } : {}) } as never),
      };
      let value: T;
      try {
        value = await raceAbort(
          Promise.resolve().then(() => fn(stepContext)),
          signal,
        );
      } catch (error) {
        // Stopping: rethrow so the enclosing op() parks the workflow and releases its count.
        if (state.control) throw error;
        const now = clock.now();
        const wait = nextDelay(policy, attempt, error, now, state.random);
        if (wait === null) return recordFailure(id, index, name, error, attempt, startedAt);
        state.emit({ type: 'step-retry', runId, at: now, stepId: id, attempt, delayMs: wait, error: errorPayload(error) });
        await delay(clock, wait, state.abort.signal);
        continue;
      } finally {
        timer?.cancel();
        if (attemptAbort) state.abort.signal.removeEventListener('abort', onRunAbort);
      }
      try {
        return await recordResult(id, index, name, value, attempt, startedAt, options.usage?.(value));
      } catch (error) {
        // A result that cannot be journaled is a failure of the step, recorded so replay agrees.
        if (isEncodingError(error)) return recordFailure(id, index, name, error, attempt, startedAt);
        throw error;
      }
    }
  }

  async function handleUnknown<T>(
    id: string,
    index: number,
    name: string,
    fn: (ctx: StepContext) => Promise<T> | T,
    options: StepOptions<T>,
    intentSeq: number,
  ): Promise<T> {
    const idempotencyKey = `${runId}:${intentSeq}`;
    const policy = options.onUnknown ?? 'fail';
    state.emit({
      type: 'step-unknown',
      runId,
      at: clock.now(),
      stepId: id,
      policy: typeof policy === 'function' ? 'reconcile' : policy,
    });
    if (policy === 'retry') return op(() => execute(id, index, name, fn, options, idempotencyKey));
    const unknown = (): OutcomeUnknownError =>
      new OutcomeUnknownError(
        `[@cairn/core] run "${runId}": step "${id}" was started (idempotency key ${idempotencyKey}) but its outcome is unknown`,
      );
    if (policy === 'fail') return op(() => recordFailure(id, index, name, unknown(), 0, clock.now()));
    if (policy === 'pause') {
      const decision = await awaitApproval<{ result?: T }>(index, id, `unknown:${id}`, {
        details: { stepId: id, idempotencyKey },
        reason: 'manual',
      });
      if (!decision.approved) return op(() => recordFailure(id, index, name, unknown(), 0, clock.now()));
      if (decision.data && 'result' in decision.data)
        return op(() => recordResult(id, index, name, decision.data!.result as T, 0, clock.now()));
      return op(() => execute(id, index, name, fn, options, idempotencyKey));
    }
    return op(async () => {
      const startedAt = clock.now();
      const verdict = await policy({ runId, stepId: id, idempotencyKey, signal: state.abort.signal });
      if (verdict.completed) return recordResult(id, index, name, verdict.result, 0, startedAt, options.usage?.(verdict.result));
      return execute(id, index, name, fn, options, idempotencyKey);
    });
  }

  function replayOutcome<T>(id: string, index: number, name: string): Promise<T> | undefined {
    const outcome = replay.outcomes.get(id);
    if (!outcome) return undefined;
    state.replayedSteps++;
    const at = clock.now();
    if (outcome.kind === 'end') {
      addUsage(outcome.payload.u, true);
      state.emit({
        type: 'step-end',
        runId,
        at,
        stepId: id,
        name,
        index,
        replayed: true,
        durationMs: outcome.payload.d,
        attempts: outcome.payload.a,
        ...(outcome.payload.u ? { usage: outcome.payload.u } : {}),
      });
      return Promise.resolve(outcome.payload.v as T);
    }
    state.emit({ type: 'step-fail', runId, at, stepId: id, name, index, replayed: true, error: outcome.payload.e });
    return Promise.reject(deserializeError(outcome.payload.e));
  }

  function step<T>(name: string, fn: (ctx: StepContext) => Promise<T> | T, options: StepOptions<T> = {}): Promise<T> {
    assertName(name, 'step');
    if (name.startsWith('$'))
      throw new InvalidArgumentError(`[@cairn/core] step names starting with "$" are reserved: "${name}"`);
    return internalStep(name, fn, options);
  }

  function internalStep<T>(name: string, fn: (ctx: StepContext) => Promise<T> | T, options: StepOptions<T>): Promise<T> {
    if (state.control) return never();
    const { index, id } = slot(name);
    const replayed = replayOutcome<T>(id, index, name);
    if (replayed) return replayed;
    state.replayEnd();
    const intent = replay.intents.get(id);
    if ((options.effect ?? 'retry') === 'once') {
      if (intent) return handleUnknown(id, index, name, fn, options, intent.seq);
      return op(async () => {
        const t = clock.now();
        const { firstSeq } = await commit(
          [{ kind: 'step-start', key: id, payload: encodeMeta({ i: index, t }), createdAt: t }],
          stepPatch(index, name),
        );
        return execute(id, index, name, fn, options, `${runId}:${firstSeq}`);
      });
    }
    return op(() => execute(id, index, name, fn, options, undefined));
  }

  /** Block until `check` returns a value; a blocked wait lets the run pause when nothing else runs. */
  function block<R>(
    stepId: string,
    reason: 'sleep' | 'event' | 'approval' | 'manual' | 'budget',
    wakeAt: number | null,
    check: () => R | undefined,
  ): Promise<R> {
    const ready = check();
    if (ready !== undefined) return Promise.resolve(ready);
    if (state.control) return never();
    return new Promise<R>((resolve) => {
      const timer = wakeAt === null ? undefined : clock.setTimer(wakeAt - clock.now(), () => wait.poll());
      // The drive ends by aborting its controller; a pending timer must not outlive it.
      state.abort.signal.addEventListener('abort', () => timer?.cancel(), { once: true });
      const wait = {
        stepId,
        reason,
        wakeAt,
        poll() {
          if (state.control && state.control.type !== 'suspend') return;
          const value = check();
          if (value === undefined) return;
          timer?.cancel();
          state.blocked.delete(stepId);
          resolve(value);
        },
      };
      state.blocked.set(stepId, wait);
      state.checkQuiescence();
    });
  }

  async function sleep(duration: number | Date): Promise<void> {
    if (state.control) return never();
    const ms = duration instanceof Date ? undefined : duration;
    if (ms !== undefined && !(Number.isFinite(ms) && ms >= 0))
      throw new InvalidArgumentError(`[@cairn/core] run "${runId}": sleep duration must be a finite number of ms ≥ 0`);
    const { index, id } = slot('$sleep');
    let wakeAt = replay.sleeps.get(id)?.payload.w ?? null;
    if (wakeAt === null) {
      const target = duration instanceof Date ? duration.getTime() : clock.now() + (ms as number);
      await op(() =>
        commit(
          [{ kind: 'sleep-start', key: id, payload: encodeMeta({ i: index, w: target }), createdAt: clock.now() }],
          stepPatch(index, '$sleep'),
        ),
      );
      wakeAt = target;
    }
    const due = wakeAt;
    await block(id, 'sleep', due, () => (clock.now() >= due ? true : undefined));
  }

  async function waitForSignal<T>(name: string, options: { timeoutMs?: number } = {}): Promise<T> {
    if (state.control) return never();
    assertName(name, 'signal');
    const { index, id } = slot(`$signal:${name}`);
    const outcome = replay.outcomes.get(id);
    if (outcome?.kind === 'end') {
      const seq = (outcome.payload as { sg?: number }).sg;
      const signal = replay.signals.find((s) => s.seq === seq);
      return (signal ? decode<T>(signal.payloadText) : undefined) as T;
    }
    if (outcome?.kind === 'fail') throw deserializeError(outcome.payload.e);
    let deadline = replay.sleeps.get(id)?.payload.w ?? null;
    if (deadline === null && options.timeoutMs !== undefined) {
      deadline = clock.now() + options.timeoutMs;
      const w = deadline;
      await op(() =>
        commit(
          [{ kind: 'sleep-start', key: id, payload: encodeMeta({ i: index, w }), createdAt: clock.now() }],
          stepPatch(index, id),
        ),
      );
    }
    const startedAt = clock.now();
    const due = deadline;
    const got = await block(id, 'event', due, () => {
      const signal = replay.signals.find((s) => s.name === name && !replay.consumedSignals.has(s.seq));
      if (signal) {
        replay.consumedSignals.add(signal.seq);
        return { signal };
      }
      if (due !== null && clock.now() >= due) return { signal: undefined };
      return undefined;
    });
    if (!got.signal) {
      const error = new SignalTimeoutError(`[@cairn/core] run "${runId}": no signal "${name}" within ${options.timeoutMs} ms`);
      return op(() => recordFailure(id, index, id, error, 1, startedAt));
    }
    const signal = got.signal;
    await op(() => recordResult(id, index, id, undefined, 1, startedAt, undefined, { sg: signal.seq }));
    return decode<T>(signal.payloadText);
  }

  async function awaitApproval<T>(
    index: number,
    waitId: string,
    approvalId: string,
    options: { details?: unknown; timeoutMs?: number; defaultDecision?: boolean; reason?: 'approval' | 'manual' | 'budget' },
  ): Promise<ApprovalDecision<T>> {
    if (!APPROVAL_ID.test(approvalId))
      throw new InvalidArgumentError(
        `[@cairn/core] run "${runId}": invalid approval id ${JSON.stringify(approvalId.slice(0, 210))}`,
      );
    const toDecision = (p: ApprovalDecidePayload): ApprovalDecision<T> => ({
      approvalId,
      approved: p.approved,
      by: p.by,
      at: p.at,
      ...(p.reason !== undefined ? { reason: p.reason } : {}),
      ...(p.v !== undefined ? { data: p.v as T } : {}),
    });
    let request = replay.approvalRequests.get(approvalId);
    const decided = replay.decisions.get(approvalId);
    if (request && decided) return toDecision(decided.payload);
    if (state.control) return never();
    const reason = options.reason ?? 'approval';
    if (!request) {
      const now = clock.now();
      const x = options.timeoutMs === undefined ? null : now + options.timeoutMs;
      const meta = { i: index, s: waitId, x, dd: options.defaultDecision ?? false, r: reason };
      const payload = encodePayload(meta, options.details, { runId, what: `details of approval "${approvalId}"`, maxBytes });
      const { firstSeq } = await op(() =>
        commit([{ kind: 'approval-request', key: approvalId, payload, createdAt: now }], stepPatch(index, waitId)),
      );
      request = { seq: firstSeq, payload: { ...meta, ...(options.details !== undefined ? { v: options.details } : {}) } };
      replay.approvalRequests.set(approvalId, request);
      state.emit({ type: 'approval-request', runId, at: now, approvalId, details: options.details, expiresAt: x });
    }
    const expiresAt = request.payload.x;
    const result = await block(waitId, request.payload.r, expiresAt, () => {
      const decision = replay.decisions.get(approvalId);
      if (decision) return decision.payload;
      if (expiresAt !== null && clock.now() >= expiresAt) return 'expired' as const;
      return undefined;
    });
    if (result !== 'expired') return toDecision(result);
    const now = clock.now();
    const ours: ApprovalDecidePayload = {
      approved: request.payload.dd,
      by: 'cairn:expired',
      reason: 'approval expired',
      at: now,
    };
    const { firstSeq } = await op(() =>
      commit([{ kind: 'approval-decide', key: approvalId, payload: encodeMeta(ours), createdAt: now }]),
    );
    // A human decision absorbed while ours was committing has the lower seq and wins, as on replay.
    if (!replay.decisions.has(approvalId)) replay.decisions.set(approvalId, { seq: firstSeq, payload: ours });
    const winner = replay.decisions.get(approvalId)!.payload;
    state.emit({ type: 'approval-decide', runId, at: now, approvalId, approved: winner.approved, by: winner.by });
    return toDecision(winner);
  }

  const context: WorkflowContext = {
    runId,
    workflow: state.workflow,
    signal: state.abort.signal,
    get replaying() {
      return state.nextCallIndex < replay.recordedCalls;
    },
    step,
    now: () => internalStep('$now', () => clock.now(), { retry: false }),
    random: () => internalStep('$random', () => state.random(), { retry: false }),
    uuid: () => internalStep('$uuid', () => crypto.randomUUID(), { retry: false }),
    sleep,
    waitForSignal,
    waitForApproval<T>(
      name: string,
      options: {
        id?: string;
        details?: unknown;
        timeoutMs?: number;
        defaultDecision?: boolean;
        reason?: 'approval' | 'manual' | 'budget';
      } = {},
    ) {
      if (state.control) return never<ApprovalDecision<T>>();
      assertName(name, 'approval');
      const n = state.nameCounters.get(`$approval:${name}`) ?? 0;
      const { index, id } = slot(`$approval:${name}`);
      return awaitApproval<T>(index, id, options.id ?? `${name}#${n}`, options);
    },
    usage: () => ({ ...state.usage }),
    emit(event) {
      state.emit({ ...event, runId, at: clock.now() } as never);
    },
  };
  return context;
}

/** Settle with `promise`, or reject with the signal's reason as soon as it aborts. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
