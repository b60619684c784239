/**
 * Executing a step for real: attempts with the retry policy, per-attempt timeouts, the step's
 * `StepContext`, and the outcome journaled through `step-journal`.
 *
 * Invariants:
 * - the lease is certainly held when an attempt starts (`scope.ensureLease()`), so a drive that was
 *   frozen past its lease never starts a step before it has renewed;
 * - a result that cannot be journaled (not serializable, too large, refused by the store) is a
 *   failure of the step, recorded so replay agrees — never a failure of the run.
 */
import { CairnError } from '../../errors.ts';
import { delay } from '../clock.ts';
import { errorPayload, isEncodingError } from '../journal-format.ts';
import { nextDelay, resolveRetry } from '../retry-policy.ts';
import type { StepContext, StepOptions } from '../workflow.ts';
import type { DriveScope } from './drive-scope.ts';
import { recordFailure, recordResult, type StepPlace } from './step-journal.ts';

/** Run `fn` with retries and journal its outcome. */
export async function executeStep<T>(
  scope: DriveScope,
  place: StepPlace,
  fn: (ctx: StepContext) => Promise<T> | T,
  options: StepOptions<T>,
  idempotencyKey: string | undefined,
): Promise<T> {
  const { clock, runId, control } = scope;
  const { id, index, name } = place;
  const policy = resolveRetry(scope.retry, options.retry);
  const startedAt = clock.now();
  for (let attempt = 1; ; attempt++) {
    await scope.ensureLease();
    // Without a timeout the attempt shares the run's signal: no allocation on the hot path.
    const attemptAbort = options.timeoutMs === undefined ? undefined : new AbortController();
    const signal = attemptAbort ? attemptAbort.signal : control.signal;
    const onRunAbort = (): void => attemptAbort?.abort(control.signal.reason);
    if (attemptAbort) control.signal.addEventListener('abort', onRunAbort, { once: true });
    const timer =
      attemptAbort === undefined || options.timeoutMs === undefined
        ? undefined
        : clock.setTimer(options.timeoutMs, () =>
            attemptAbort.abort(
              new CairnError('aborted', `[@cairn/core] run "${runId}": step "${id}" timed out after ${options.timeoutMs} ms`, {
                retryable: true,
                runId,
                stepId: id,
              }),
            ),
          );
    scope.emit({
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
        scope.emit({ ...event, runId, at: clock.now(), ...(event.type === 'text-delta' ? { stepId: id } : {}) } as never),
    };
    let value: T;
    try {
      value = await attemptOnce(fn, stepContext, signal);
    } catch (error) {
      // Stopping: rethrow so the enclosing op() parks the workflow and releases its count.
      if (control.current) throw error;
      const now = clock.now();
      const wait = nextDelay(policy, attempt, error, now, scope.random);
      if (wait === null) return recordFailure(scope, place, error, attempt, startedAt);
      scope.emit({ type: 'step-retry', runId, at: now, stepId: id, attempt, delayMs: wait, error: errorPayload(error) });
      await delay(clock, wait, control.signal);
      continue;
    } finally {
      timer?.cancel();
      if (attemptAbort) control.signal.removeEventListener('abort', onRunAbort);
    }
    try {
      return await recordResult(scope, place, value, attempt, startedAt, options.usage?.(value));
    } catch (error) {
      // A result that cannot be journaled is a failure of the step, recorded so replay agrees.
      if (isEncodingError(error)) return recordFailure(scope, place, error, attempt, startedAt);
      throw error;
    }
  }
}

/**
 * Run `fn` on the next microtask and settle with its result, or with the signal's reason if it
 * aborted. A synchronous result needs no abort listener (nothing can abort while it is computed
 * but `fn` itself, which the check after it sees); only a promise is raced against the signal.
 */
async function attemptOnce<T>(
  fn: (ctx: StepContext) => Promise<T> | T,
  stepContext: StepContext,
  signal: AbortSignal,
): Promise<T> {
  await undefined;
  const result = fn(stepContext);
  if (isThenable(result)) return raceAbort(Promise.resolve(result), signal);
  if (signal.aborted) throw signal.reason;
  return result;
}

function isThenable<T>(value: Promise<T> | T): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
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
