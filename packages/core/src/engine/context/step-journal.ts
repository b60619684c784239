/**
 * How a step's outcome reaches the journal and comes back from it: tracked work (`op`), recording a
 * result or a final failure, and replaying a recorded outcome without I/O.
 *
 * Invariants:
 * - a replayed failure and a live failure throw the same reconstructed error (same name, message,
 *   code), so workflow code that catches it behaves the same on replay;
 * - once the drive must stop (cancel, suspend, lost run), ctx calls never settle: the workflow
 *   function is abandoned at its next await instead of running on with stale state.
 */
import { deserializeError } from '../../codec.ts';
import { CorruptJournalError } from '../../errors.ts';
import type { RunPatch } from '../../storage/types.ts';
import type { RunEvent } from '../events.ts';
import { type StepUsage, stepEndEntry, stepFailEntry } from '../journal-format.ts';
import { addUsage, type DriveScope } from './drive-scope.ts';
import { decodeOutcome, type RecordedOutcome } from './replay-state.ts';

/** A promise that never settles: the workflow is abandoned at this await. */
export function never<T>(): Promise<T> {
  return new Promise<T>(() => {});
}

/** A check-only drive reached a call the journal has not recorded: stop there, execute nothing. */
export function checkEnd<T>(scope: DriveScope): Promise<T> {
  scope.control.stop('check-end', undefined);
  return never();
}

/** Run `body` as tracked work (the run cannot pause meanwhile); if the drive is stopping, never settle. */
export async function op<T>(scope: DriveScope, body: () => Promise<T>): Promise<T> {
  const { control } = scope;
  if (control.current) return never();
  control.beginWork();
  try {
    return await body();
  } catch (error) {
    if (control.current) return never();
    throw error;
  } finally {
    control.endWork();
  }
}

/** The header patch that goes with a step's entry: where the run is, and its usage so far. */
export function stepPatch(scope: DriveScope, index: number, name: string): RunPatch {
  return { updatedAt: scope.clock.now(), step: { index, name }, usage: { ...scope.usage.totals } };
}

/** Where a step is: its id, call index and name. */
export interface StepPlace {
  id: string;
  index: number;
  name: string;
  /** The step's `label` option, recorded with its outcome. */
  label?: string | undefined;
}

/** The fields every step event carries. */
function eventBase(scope: DriveScope, place: StepPlace, at: number, replayed: boolean) {
  return { runId: scope.runId, at, stepId: place.id, name: place.name, index: place.index, replayed };
}

/** Journal a step's final failure and throw it as replay will (the error bounded to fit the store). */
export async function recordFailure(
  scope: DriveScope,
  place: StepPlace,
  error: unknown,
  attempts: number,
  startedAt: number,
): Promise<never> {
  const now = scope.clock.now();
  const { entry, error: serialized } = stepFailEntry(
    place.id,
    { index: place.index, attempts, startedAt, label: place.label },
    error,
    scope.maxPayloadBytes,
    now,
  );
  await scope.journal.commit([entry], stepPatch(scope, place.index, place.name));
  scope.emit({ type: 'step-fail', ...eventBase(scope, place, now, false), error: serialized });
  throw deserializeError(serialized);
}

/** Journal a step's result and return it. Throws the codec's error if the value cannot be journaled. */
export async function recordResult<T>(
  scope: DriveScope,
  place: StepPlace,
  value: T,
  attempts: number,
  startedAt: number,
  usage?: StepUsage,
  signalSeq?: number,
): Promise<T> {
  const now = scope.clock.now();
  const entry = stepEndEntry(
    place.id,
    {
      index: place.index,
      attempts,
      startedAt,
      label: place.label,
      ...(usage ? { usage } : {}),
      ...(signalSeq !== undefined ? { signalSeq } : {}),
    },
    value,
    { runId: scope.runId, what: `result of step "${place.id}"`, maxBytes: scope.maxPayloadBytes },
    now,
  );
  addUsage(scope.usage, usage, false);
  await scope.journal.commit([entry], stepPatch(scope, place.index, place.name));
  scope.emit({
    type: 'step-end',
    ...eventBase(scope, place, now, false),
    durationMs: now - startedAt,
    attempts,
    ...(usage ? { usage } : {}),
  });
  return value;
}

/** The recorded outcome of a step as a settled promise, or undefined when the journal has none. */
export function replayOutcome<T>(scope: DriveScope, place: StepPlace): Promise<T> | undefined {
  const { replay } = scope;
  const recorded = replay.outcomes.get(place.id);
  if (!recorded) return undefined;
  // A step id is asked for once per drive: what it replayed is dropped, so memory does not grow
  // with the steps already replayed (the workflow holds the values it keeps).
  replay.outcomes.delete(place.id);
  replay.intents.delete(place.id);
  let outcome: RecordedOutcome;
  try {
    outcome = decodeOutcome(recorded);
  } catch (error) {
    // Never echo the parser's message: it may quote payload text.
    const corrupt = new CorruptJournalError(
      `[@cairn/core] run "${scope.runId}": the recorded outcome of step "${place.id}" (seq ${recorded.seq}) cannot be decoded`,
      { cause: error instanceof Error ? new Error(error.name) : undefined, runId: scope.runId },
    );
    scope.control.stop('corrupt journal', corrupt);
    return never();
  }
  const at = scope.clock.now();
  if (outcome.kind === 'end') {
    const { record } = outcome;
    addUsage(scope.usage, record.usage, true);
    // One literal per event (no spreads): replay emits one per recorded step.
    const event: Extract<RunEvent, { type: 'step-end' }> = {
      type: 'step-end',
      runId: scope.runId,
      at,
      stepId: place.id,
      name: place.name,
      index: place.index,
      replayed: true,
      durationMs: record.durationMs,
      attempts: record.attempts,
    };
    if (record.usage) event.usage = record.usage;
    scope.emit(event);
    return Promise.resolve(record.value as T);
  }
  scope.emit({ type: 'step-fail', ...eventBase(scope, place, at, true), error: outcome.record.error });
  return Promise.reject(deserializeError(outcome.record.error));
}
