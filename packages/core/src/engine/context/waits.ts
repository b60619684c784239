/**
 * Durable waits: sleep, signals and approvals. A wait is journaled when first asked (its deadline
 * included), then blocks; a blocked wait with no work in progress lets the driver pause the run.
 *
 * Invariants:
 * - durations and deadlines are validated before anything is journaled (a finite number of ms ≥ 0,
 *   or a valid Date), so no wait can be recorded with a wake time that is not a time;
 * - a signal sent before the wait is not lost: signals are matched in seq order, each consumed once;
 * - a decision absorbed while an expiry decision was committing has the lower seq and wins, as on replay.
 */
import { deserializeError } from '../../codec.ts';
import { InvalidArgumentError, SignalTimeoutError } from '../../errors.ts';
import type { PauseReason } from '../../storage/types.ts';
import {
  type ApprovalDecideRecord,
  approvalDecideEntry,
  approvalRequestEntry,
  readSignalValue,
  sleepStartEntry,
} from '../journal-format.ts';
import type { ApprovalDecision, WaitForApprovalOptions } from '../workflow.ts';
import type { BlockedWait, DriveScope } from './drive-scope.ts';
import { decodeOutcome } from './replay-state.ts';
import { never, op, recordFailure, recordResult, stepPatch } from './step-journal.ts';

const APPROVAL_ID = /^[A-Za-z0-9_.:#@/-]{1,200}$/;
/** Longest wait the engine accepts: about 100 years, far beyond any real deadline. */
const MAX_WAIT_MS = 100 * 365 * 24 * 3600 * 1000;

/**
 * A duration option in ms: undefined, or a finite number from 0 to about 100 years.
 * Names the run and the option on anything else (NaN, Infinity, a string, a negative number).
 */
export function checkDuration(runId: string, what: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_WAIT_MS) {
    throw new InvalidArgumentError(
      `[@cairn/core] run "${runId}": ${what} must be a finite number of ms from 0 to ${MAX_WAIT_MS}, got ${describe(value)}`,
      { runId },
    );
  }
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (value instanceof Date) return 'an invalid Date';
  return value === null ? 'null' : `a ${typeof value}`;
}

/** Block until `check` returns a value; a blocked wait lets the run pause when nothing else runs. */
export function block<R>(
  scope: DriveScope,
  stepId: string,
  reason: PauseReason,
  wakeAt: number | null,
  check: () => R | undefined,
): Promise<R> {
  const ready = check();
  if (ready !== undefined) return Promise.resolve(ready);
  const { control, clock } = scope;
  if (control.current) return never();
  return new Promise<R>((resolve) => {
    const timer = wakeAt === null ? undefined : clock.setTimer(wakeAt - clock.now(), () => wait.poll());
    // The drive ends by aborting its signal; a pending timer must not outlive it.
    control.signal.addEventListener('abort', () => timer?.cancel(), { once: true });
    const wait: BlockedWait = {
      stepId,
      reason,
      wakeAt,
      poll() {
        const current = control.current;
        if (current && current.type !== 'suspend') return;
        const value = check();
        if (value === undefined) return;
        timer?.cancel();
        control.unblock(stepId);
        resolve(value);
      },
    };
    control.block(wait);
  });
}

/** `ctx.sleep(ms | until)`: durable. */
export async function sleep(scope: DriveScope, slot: { index: number; id: string }, duration: number | Date): Promise<void> {
  const { index, id } = slot;
  let wakeAt = scope.replay.sleeps.get(id)?.record.wakeAt ?? null;
  if (wakeAt === null) {
    const target = duration instanceof Date ? duration.getTime() : scope.clock.now() + (duration as number);
    await op(scope, () =>
      scope.journal.commit([sleepStartEntry(id, index, target, scope.clock.now())], stepPatch(scope, index, '$sleep')),
    );
    wakeAt = target;
  }
  const due = wakeAt;
  await block(scope, id, 'sleep', due, () => (scope.clock.now() >= due ? true : undefined));
}

/** Check a sleep's argument before a slot is taken. */
export function checkSleep(runId: string, duration: unknown): void {
  if (duration instanceof Date) {
    if (!Number.isFinite(duration.getTime()))
      throw new InvalidArgumentError(`[@cairn/core] run "${runId}": sleep until an invalid Date`, { runId });
    return;
  }
  checkDuration(runId, 'sleep duration', duration);
}

/** `ctx.waitForSignal(name, { timeoutMs })`. */
export async function waitForSignal<T>(
  scope: DriveScope,
  slot: { index: number; id: string },
  name: string,
  timeoutMs: number | undefined,
): Promise<T> {
  const { index, id } = slot;
  const { replay, clock } = scope;
  const recorded = replay.outcomes.get(id);
  const outcome = recorded ? decodeOutcome(recorded) : undefined;
  if (outcome?.kind === 'end') {
    const seq = outcome.record.signalSeq;
    const signal = replay.signals.find((s) => s.seq === seq);
    return (signal ? readSignalValue(signal.payloadText) : undefined) as T;
  }
  if (outcome?.kind === 'fail') throw deserializeError(outcome.record.error);
  let deadline = replay.sleeps.get(id)?.record.wakeAt ?? null;
  if (deadline === null && timeoutMs !== undefined) {
    const w = clock.now() + timeoutMs;
    deadline = w;
    await op(scope, () => scope.journal.commit([sleepStartEntry(id, index, w, clock.now())], stepPatch(scope, index, id)));
  }
  const startedAt = clock.now();
  const due = deadline;
  const got = await block(scope, id, 'event', due, () => {
    const signal = replay.signals.find((s) => s.name === name && !replay.consumedSignals.has(s.seq));
    if (signal) {
      replay.consumedSignals.add(signal.seq);
      return { signal };
    }
    if (due !== null && clock.now() >= due) return { signal: undefined };
    return undefined;
  });
  const place = { id, index, name: id };
  if (!got.signal) {
    const error = new SignalTimeoutError(`[@cairn/core] run "${scope.runId}": no signal "${name}" within ${timeoutMs} ms`, {
      runId: scope.runId,
      stepId: id,
    });
    return op(scope, () => recordFailure(scope, place, error, 1, startedAt));
  }
  const signal = got.signal;
  await op(scope, () => recordResult(scope, place, undefined, 1, startedAt, undefined, signal.seq));
  return readSignalValue(signal.payloadText) as T;
}

/** Options of an approval wait, validated. */
export type ApprovalWaitOptions = Omit<WaitForApprovalOptions, 'id'>;

/** Check an approval id before anything is journaled. */
export function checkApprovalId(runId: string, approvalId: unknown): void {
  if (typeof approvalId !== 'string' || !APPROVAL_ID.test(approvalId))
    throw new InvalidArgumentError(
      `[@cairn/core] run "${runId}": invalid approval id ${JSON.stringify(String(approvalId).slice(0, 210))}`,
      { runId },
    );
}

/** Wait for a human decision on `approvalId`, journaling the request (and an expiry decision). */
export async function awaitApproval<T>(
  scope: DriveScope,
  index: number,
  waitId: string,
  approvalId: string,
  options: ApprovalWaitOptions,
): Promise<ApprovalDecision<T>> {
  const { replay, clock, runId } = scope;
  checkApprovalId(runId, approvalId);
  const toDecision = (p: ApprovalDecideRecord): ApprovalDecision<T> => ({
    approvalId,
    approved: p.approved,
    by: p.by,
    at: p.at,
    ...(p.reason !== undefined ? { reason: p.reason } : {}),
    ...(p.data !== undefined ? { data: p.data as T } : {}),
  });
  let request = replay.approvalRequests.get(approvalId);
  const decided = replay.decisions.get(approvalId);
  if (request && decided) return toDecision(decided.record);
  if (scope.control.current) return never();
  const reason = options.reason ?? 'approval';
  if (!request) {
    const now = clock.now();
    const expiresAt = options.timeoutMs === undefined ? null : now + options.timeoutMs;
    const record = { index, waitId, expiresAt, defaultDecision: options.defaultDecision ?? false, reason };
    const entry = approvalRequestEntry(
      approvalId,
      record,
      options.details,
      { runId, what: `details of approval "${approvalId}"`, maxBytes: scope.maxPayloadBytes },
      now,
    );
    const { firstSeq } = await op(scope, () => scope.journal.commit([entry], stepPatch(scope, index, waitId)));
    request = { seq: firstSeq, record: { ...record, details: options.details } };
    replay.approvalRequests.set(approvalId, request);
    scope.emit({ type: 'approval-request', runId, at: now, approvalId, details: options.details, expiresAt });
  }
  const expiresAt = request.record.expiresAt;
  const result = await block(scope, waitId, request.record.reason, expiresAt, () => {
    const decision = replay.decisions.get(approvalId);
    if (decision) return decision.record;
    if (expiresAt !== null && clock.now() >= expiresAt) return 'expired' as const;
    return undefined;
  });
  if (result !== 'expired') return toDecision(result);
  const now = clock.now();
  const ours: ApprovalDecideRecord = {
    approved: request.record.defaultDecision,
    by: 'cairn:expired',
    reason: 'approval expired',
    at: now,
  };
  const entry = approvalDecideEntry(
    approvalId,
    ours,
    undefined,
    { runId, what: 'expiry decision', maxBytes: scope.maxPayloadBytes },
    now,
  );
  const { firstSeq } = await op(scope, () => scope.journal.commit([entry]));
  if (!replay.decisions.has(approvalId)) replay.decisions.set(approvalId, { seq: firstSeq, record: ours });
  const winner = replay.decisions.get(approvalId)!.record;
  scope.emit({ type: 'approval-decide', runId, at: now, approvalId, approved: winner.approved, by: winner.by });
  return toDecision(winner);
}
