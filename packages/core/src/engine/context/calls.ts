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
  /** `ctx.patched` answers of this drive: a run takes one path per patch id (ADR 0102). */
  patches: Map<string, boolean>;
}

/** Fresh counters for a drive. */
export function createCallCounter(): CallCounter {
  return { next: 0, byName: new Map(), replayedSteps: 0, replayEndSent: false, patches: new Map() };
}

/**
 * Exhaustive replay (ADR 0100): the workflow returned or threw while the journal holds calls at or
 * beyond `calls.next` that it never asked for (a removed trailing step, an agent turn beyond a lowered
 * `maxTurns`). Returns the error naming the first unconsumed call, or undefined when all were consumed.
 * Only calls count: lease-take, run-end, signals, decisions and change marks carry no call index.
 */
export function unconsumedCalls(
  scope: DriveScope,
  calls: CallCounter,
  how: 'returned' | 'threw',
): NonDeterminismError | undefined {
  const { replay } = scope;
  if (calls.next >= replay.recordedCalls) return undefined;
  let first: { index: number; id: string; seq: number } | undefined;
  for (const [index, call] of replay.callIds)
    if (index >= calls.next && (!first || index < first.index)) first = { index, ...call };
  if (!first) return undefined;
  const left = [...replay.callIds.keys()].filter((index) => index >= calls.next).length;
  return new NonDeterminismError(
    `[@cairn/core] run "${scope.runId}": non-determinism: the workflow ${how} after ${calls.next} call${calls.next === 1 ? '' : 's'}, but the journal records ${left} more, the first at call ${first.index} (seq ${first.seq}): "${first.id}" (removed or reordered code; restore it, or put the change behind ctx.patched)`,
    { runId: scope.runId, seq: first.seq, expected: first.id, callIndex: first.index },
  );
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
  // Checked once, never asked again (slots only move forward): a long replay holds no index it passed.
  if (recorded) replay.callIds.delete(index);
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
