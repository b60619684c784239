/**
 * Call slots: each ctx call takes the next call index and a step id (`name#n`, n counting calls of
 * that name), assigned synchronously in call order so parallel steps get the same ids on every
 * execution. The id recorded at a call index must be the id asked for there, else the drive stops
 * with `NonDeterminismError`.
 */
import { NonDeterminismError } from '../../errors.ts';
import type { DriveScope } from './drive-scope.ts';

/** A workflow call's place: its call index and step id. */
export interface CallSlot {
  index: number;
  id: string;
}

/** The call counters of one drive, and whether `replay-end` was announced. */
export interface CallCounter {
  next: number;
  byName: Map<string, number>;
  replayedSteps: number;
  replayEndSent: boolean;
}

/** Fresh counters for a drive. */
export function createCallCounter(): CallCounter {
  return { next: 0, byName: new Map(), replayedSteps: 0, replayEndSent: false };
}

/** Announce, once, that the workflow has asked for something the journal does not hold. */
export function noteReplayEnd(scope: DriveScope, calls: CallCounter): void {
  if (calls.replayEndSent || !scope.resumed) return;
  calls.replayEndSent = true;
  scope.emit({
    type: 'replay-end',
    runId: scope.runId,
    at: scope.clock.now(),
    replayedSteps: calls.replayedSteps,
    savedTokens: scope.usage.savedThisDrive,
  });
}

/** The next call count of `name` (without taking a slot). */
export function peekNameCount(calls: CallCounter, name: string): number {
  return calls.byName.get(name) ?? 0;
}

/** Take the next slot for a call of `name`; stops the drive and throws on non-determinism. */
export function takeSlot(scope: DriveScope, calls: CallCounter, name: string): CallSlot {
  const index = calls.next++;
  const n = calls.byName.get(name) ?? 0;
  calls.byName.set(name, n + 1);
  const id = `${name}#${n}`;
  const { replay } = scope;
  if (index >= replay.recordedCalls) noteReplayEnd(scope, calls);
  const recorded = replay.callIds.get(index);
  if (recorded && recorded.id !== id) {
    const error = new NonDeterminismError(
      `[@cairn/core] run "${scope.runId}": non-determinism at call ${index} (seq ${recorded.seq}): the journal recorded "${recorded.id}", the workflow code now asks for "${id}"`,
      { runId: scope.runId, seq: recorded.seq, expected: recorded.id, actual: id, callIndex: index },
    );
    scope.control.stop('non-determinism', error);
    throw error;
  }
  return { index, id };
}
