/**
 * An `effect: 'once'` step whose intent is journaled but whose outcome is not: the process died
 * while it ran. Its `onUnknown` policy decides: `'retry'` with the same idempotency key, `'fail'`,
 * `'pause'` for a human (who may supply the result), or a `reconcile` function that looks it up.
 */
import { OutcomeUnknownError } from '../../errors.ts';
import type { StepContext, StepOptions } from '../workflow.ts';
import type { DriveScope } from './drive-scope.ts';
import { executeStep } from './step-execute.ts';
import { op, recordFailure, recordResult, type StepPlace } from './step-journal.ts';
import { awaitApproval } from './waits.ts';

/** Settle an in-flight `once` step whose intent was journaled at `intentSeq`. */
export async function handleUnknown<T>(
  scope: DriveScope,
  place: StepPlace,
  fn: (ctx: StepContext) => Promise<T> | T,
  options: StepOptions<T>,
  intentSeq: number,
): Promise<T> {
  const { runId, clock } = scope;
  const { id, index } = place;
  const idempotencyKey = `${runId}:${intentSeq}`;
  const policy = options.onUnknown ?? 'fail';
  scope.emit({
    type: 'step-unknown',
    runId,
    at: clock.now(),
    stepId: id,
    policy: typeof policy === 'function' ? 'reconcile' : policy,
  });
  if (policy === 'retry') return op(scope, () => executeStep(scope, place, fn, options, idempotencyKey));
  const unknown = (): OutcomeUnknownError =>
    new OutcomeUnknownError(
      `[@cairn/core] run "${runId}": step "${id}" was started (idempotency key ${idempotencyKey}) but its outcome is unknown`,
      { runId, stepId: id, seq: intentSeq },
    );
  if (policy === 'fail') return op(scope, () => recordFailure(scope, place, unknown(), 0, clock.now()));
  if (policy === 'pause') {
    const decision = await awaitApproval<{ result?: T }>(scope, index, id, `unknown:${id}`, {
      details: { stepId: id, idempotencyKey },
      reason: 'manual',
    });
    if (!decision.approved) return op(scope, () => recordFailure(scope, place, unknown(), 0, clock.now()));
    if (decision.data && 'result' in decision.data) {
      const result = decision.data.result as T;
      return op(scope, () => recordResult(scope, place, result, 0, clock.now()));
    }
    return op(scope, () => executeStep(scope, place, fn, options, idempotencyKey));
  }
  return op(scope, async () => {
    const startedAt = clock.now();
    await scope.ensureLease();
    const verdict = await policy({ runId, stepId: id, idempotencyKey, signal: scope.control.signal });
    if (verdict.completed) return recordResult(scope, place, verdict.result, 0, startedAt, options.usage?.(verdict.result));
    return executeStep(scope, place, fn, options, idempotencyKey);
  });
}
