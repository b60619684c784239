/**
 * `ctx.step` (and the journaled `now`/`random`/`uuid`): take a slot, replay the recorded outcome if
 * there is one, else execute. A `once` step journals its intent before its function runs; an intent
 * found without an outcome goes to the step's `onUnknown` policy.
 */
import { InvalidArgumentError } from '../../errors.ts';
import { stepStartEntry } from '../journal-format.ts';
import { assertName, type StepContext, type StepOptions } from '../workflow.ts';
import { type CallCounter, noteReplayEnd, takeSlot } from './calls.ts';
import type { DriveScope } from './drive-scope.ts';
import { handleUnknown } from './outcome-unknown.ts';
import { executeStep } from './step-execute.ts';
import { checkEnd, never, op, replayOutcome, type StepPlace, stepPatch } from './step-journal.ts';

/** Check a user step's name and options before a slot is taken. */
export function checkStepCall(runId: string, name: string): void {
  assertName(name, 'step');
  if (name.startsWith('$'))
    throw new InvalidArgumentError(`[@cairn/core] run "${runId}": step names starting with "$" are reserved: "${name}"`, {
      runId,
    });
}

/** Run (or replay) one step call. */
export function runStep<T>(
  scope: DriveScope,
  calls: CallCounter,
  name: string,
  fn: (ctx: StepContext) => Promise<T> | T,
  options: StepOptions<T>,
): Promise<T> {
  if (scope.control.current) return never();
  const { index, id } = takeSlot(scope, calls, name);
  const place: StepPlace = { id, index, name, label: options.label };
  const replayed = replayOutcome<T>(scope, place);
  if (replayed) {
    calls.replayedSteps++;
    return replayed;
  }
  noteReplayEnd(scope, calls);
  if (scope.check) return checkEnd(scope);
  const intent = scope.replay.intents.get(id);
  if ((options.effect ?? 'retry') === 'once') {
    // The idempotency key is the seq of the step's first intent, also across retries of the run.
    const keySeq = intent ? (intent.record.keySeq ?? intent.seq) : undefined;
    if (intent && !scope.replay.retried.has(id)) return handleUnknown(scope, place, fn, options, keySeq!);
    return op(scope, async () => {
      await scope.ensureLease();
      const now = scope.clock.now();
      const { firstSeq } = await scope.journal.commit([stepStartEntry(id, index, now, keySeq)], stepPatch(scope, index, name));
      return executeStep(scope, place, fn, options, `${scope.runId}:${keySeq ?? firstSeq}`);
    });
  }
  return op(scope, () => executeStep(scope, place, fn, options, undefined));
}
