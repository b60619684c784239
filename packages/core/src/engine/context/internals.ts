/**
 * What layers built on the engine inside this package (the agent) may do beyond the public
 * `WorkflowContext`: read what the journal says about their definition, journal a definition change,
 * or stop the drive the way a non-determinism does (the run is marked failed without `run-end`,
 * resumable after a fix). Keyed by the context object, so nothing new appears on the public interface.
 */
import type { NonDeterminismError } from '../../errors.ts';
import { type ChangeMarkRecord, definitionMarkEntry } from '../journal-format.ts';
import type { WorkflowContext } from '../workflow.ts';
import { type CallCounter, peekNameCount } from './calls.ts';
import type { DriveScope } from './drive-scope.ts';
import { decodeOutcome } from './replay-state.ts';
import { never, op } from './step-journal.ts';

const drives = new WeakMap<WorkflowContext, { scope: DriveScope; calls: CallCounter }>();

/** Called once by `createWorkflowContext`. */
export function registerScope(context: WorkflowContext, scope: DriveScope, calls: CallCounter): void {
  drives.set(context, { scope, calls });
}

function driveOf(ctx: WorkflowContext): { scope: DriveScope; calls: CallCounter } {
  const drive = drives.get(ctx);
  if (!drive) throw new Error('[@cairn/core] internal: this context was not made by the engine');
  return drive;
}

function scopeOf(ctx: WorkflowContext): DriveScope {
  return driveOf(ctx).scope;
}

/** True when the journal records, at the next call index, a call of `name` (what `ctx.step(name)` would replay). */
export function nextCallIsRecorded(ctx: WorkflowContext, name: string): boolean {
  const { scope, calls } = driveOf(ctx);
  return scope.replay.callIds.get(calls.next)?.id === `${name}#${peekNameCount(calls, name)}`;
}

/** An agent definition change, as the agent layer reports it. */
export type DefinitionChange = Extract<ChangeMarkRecord, { type: 'definition' }>;

/**
 * The definition snapshot the journal says is in force for `agent`: the latest definition change
 * journaled, else the value field `field` of the recorded outcome of step `firstStepId`. O(1).
 */
export function recordedDefinition(ctx: WorkflowContext, agent: string, firstStepId: string, field: string): unknown {
  const { replay } = scopeOf(ctx);
  const change = replay.definitions.get(agent);
  if (change) return change.record.snapshot;
  const recorded = replay.outcomes.get(firstStepId);
  const first = recorded ? decodeOutcome(recorded) : undefined;
  if (first?.kind !== 'end') return undefined;
  const value = first.record.value as Record<string, unknown> | null;
  return value !== null && typeof value === 'object' ? value[field] : undefined;
}

/**
 * `onDefinitionChange: 'continue'`: journal the change. A check-only drive notes it and goes on
 * replaying (writing nothing), so other problems of the run are still found.
 */
export async function journalDefinitionChange(ctx: WorkflowContext, change: DefinitionChange): Promise<void> {
  const scope = scopeOf(ctx);
  if (scope.check) {
    scope.check.definitionChanges.push({ ...change, policy: 'continue' });
    return;
  }
  if (scope.control.current) return never();
  const now = scope.clock.now();
  const entry = definitionMarkEntry(
    change,
    { runId: scope.runId, what: 'definition change record', maxBytes: scope.maxPayloadBytes },
    now,
  );
  const { firstSeq } = await op(scope, () => scope.journal.commit([entry]));
  scope.replay.definitions.set(change.agent, { seq: firstSeq, record: change });
}

/** `onDefinitionChange: 'fail'`: stop the drive with `error` (resumable after a fix). Never settles. */
export function stopForDefinitionChange(
  ctx: WorkflowContext,
  change: DefinitionChange,
  error: NonDeterminismError,
): Promise<never> {
  const scope = scopeOf(ctx);
  scope.check?.definitionChanges.push({ ...change, policy: 'fail' });
  scope.control.stop('non-determinism', error);
  return never();
}
