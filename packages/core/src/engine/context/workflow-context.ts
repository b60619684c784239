/**
 * The `ctx` a workflow runs with: a thin facade that validates arguments, takes call slots and hands
 * each call to its module (steps, waits). Every call reaches the journal one way:
 * ctx → step/waits → step-journal → scope.journal (the driver's writer) → commit queue → store.
 */
import { InvalidArgumentError } from '../../errors.ts';
import type { ApprovalDecision, StepContext, StepOptions, WaitForApprovalOptions, WorkflowContext } from '../workflow.ts';
import { assertName, MAX_STEP_LABEL } from '../workflow.ts';
import { type CallCounter, peekNameCount, takeSlot } from './calls.ts';
import type { DriveScope } from './drive-scope.ts';
import { registerScope } from './internals.ts';
import { patched } from './patches.ts';
import { checkStepCall, runStep } from './step.ts';
import { never } from './step-journal.ts';
import { awaitApproval, checkApprovalId, checkDuration, checkSleep, sleep, waitForSignal } from './waits.ts';

/** Create the context of one drive. */
export function createWorkflowContext(scope: DriveScope, calls: CallCounter): WorkflowContext {
  const { runId, clock } = scope;

  function checkStepOptions<T>(name: string, options: StepOptions<T>): void {
    if (options === null || typeof options !== 'object')
      throw new InvalidArgumentError(`[@cairn/core] run "${runId}": options of step "${name}" must be an object`, { runId });
    checkDuration(runId, `timeoutMs of step "${name}"`, options.timeoutMs);
    if (options.label !== undefined && (typeof options.label !== 'string' || options.label.length > MAX_STEP_LABEL))
      throw new InvalidArgumentError(
        `[@cairn/core] run "${runId}": label of step "${name}" must be a string of at most ${MAX_STEP_LABEL} characters`,
        { runId },
      );
    if (options.effect !== undefined && options.effect !== 'once' && options.effect !== 'retry')
      throw new InvalidArgumentError(`[@cairn/core] run "${runId}": effect of step "${name}" must be 'once' or 'retry'`, {
        runId,
      });
  }

  const context: WorkflowContext = {
    runId,
    workflow: scope.workflow,
    signal: scope.control.signal,
    get replaying() {
      return calls.next < scope.replay.recordedCalls;
    },
    step<T>(name: string, fn: (ctx: StepContext) => Promise<T> | T, options: StepOptions<T> = {}): Promise<T> {
      checkStepCall(runId, name);
      checkStepOptions(name, options);
      return runStep(scope, calls, name, fn, options);
    },
    now: () => runStep(scope, calls, '$now', () => clock.now(), { retry: false }),
    random: () => runStep(scope, calls, '$random', () => scope.random(), { retry: false }),
    uuid: () => runStep(scope, calls, '$uuid', () => crypto.randomUUID(), { retry: false }),
    async sleep(duration) {
      if (scope.control.current) return never();
      checkSleep(runId, duration);
      return sleep(scope, takeSlot(scope, calls, '$sleep'), duration);
    },
    async waitForSignal<T>(name: string, options: { timeoutMs?: number } = {}): Promise<T> {
      if (scope.control.current) return never();
      assertName(name, 'signal');
      const timeoutMs = checkDuration(runId, `timeoutMs of signal "${name}"`, options?.timeoutMs);
      return waitForSignal<T>(scope, takeSlot(scope, calls, `$signal:${name}`), name, timeoutMs);
    },
    async waitForApproval<T>(name: string, options: WaitForApprovalOptions = {}): Promise<ApprovalDecision<T>> {
      if (scope.control.current) return never<ApprovalDecision<T>>();
      assertName(name, 'approval');
      checkDuration(runId, `timeoutMs of approval "${name}"`, options?.timeoutMs);
      const n = peekNameCount(calls, `$approval:${name}`);
      const approvalId = options.id ?? `${name}#${n}`;
      checkApprovalId(runId, approvalId);
      const { index, id } = takeSlot(scope, calls, `$approval:${name}`);
      return awaitApproval<T>(scope, index, id, approvalId, options);
    },
    async patched(patchId: string): Promise<boolean> {
      assertName(patchId, 'patch');
      return patched(scope, calls, patchId);
    },
    usage: () => ({ ...scope.usage.totals }),
    emit(event) {
      scope.emit({ ...event, runId, at: clock.now() } as never);
    },
  };
  registerScope(context, scope, calls);
  return context;
}
