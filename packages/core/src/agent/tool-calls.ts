/**
 * The tool calls of one model reply, run as a batch.
 *
 * Invariants (they keep step ids deterministic, DESIGN §3):
 * - every workflow call of a phase is issued synchronously, in the model's call order: first all
 *   approvals, then — once every approval of the batch is decided — all tool steps. Tool steps are
 *   never issued from an approval's continuation, whose timing differs between a live drive and replay;
 * - what does not run (unknown tool, bad JSON, schema failure, rejection) becomes a tool message
 *   computed from recorded data only, so replay rebuilds it without a journal entry;
 * - each call yields exactly one tool message, in call order;
 * - what a tool throws is redacted inside its step, before the engine journals it or retries on it,
 *   so the journal, the events and the model all see the same redacted message (ADR 0067).
 */
import { nextCallIsRecorded } from '../engine/context/internals.ts';
import { type ApprovalDecision, MAX_STEP_LABEL, type OnUnknown, type WorkflowContext } from '../engine/workflow.ts';
import { CairnError, ToolError } from '../errors.ts';
import type { AgentMessage, ToolCall } from '../models/language-model.ts';
import type { ResolvedAgentOptions } from './agent-options.ts';
import { modelApprovalId } from './approval-ids.ts';
import type { AnyTool } from './tool.ts';
import { type RedactToolError, redactToolError } from './tool-error-redaction.ts';
import type { Checked } from './tool-schema.ts';

/** The outcome of one call: its tool message, and whether it counts as a tool error. */
export interface CallOutcome {
  message: Extract<AgentMessage, { role: 'tool' }>;
  /** Set when the call counts as a tool error: what went wrong, without any argument or result. */
  problem?: string;
}

/** Details shown to the approver in `pendingApprovals` (journaled with the request). */
export interface ToolApprovalDetails {
  kind: 'tool-call';
  tool: string;
  /** The model's call id; the approval id too, unless it contained `#` or was taken (ADR 0066). */
  callId: string;
  arguments: unknown;
}

type Plan =
  /** `removed`: a call to a tool the agent no longer has; its recorded outcome, if any, replays (ADR 0101). */
  | { kind: 'done'; content: string; problem?: string; removed?: string }
  | { kind: 'run'; tool: AnyTool; input: unknown; approval?: Promise<ApprovalDecision<{ input?: unknown }>> };

/** A tool call's raw argument text as the agent reads it: blank is `{}`, else JSON or not ok. */
export function parseToolArguments(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

type Validated = { ok: true; input: unknown } | { ok: false; content: string; problem: string };

function verdict(tool: AnyTool, checked: Checked): Validated {
  if (checked.ok) return { ok: true, input: checked.value };
  return {
    ok: false,
    problem: `invalid arguments for tool "${tool.name}"`,
    content: `Error: invalid arguments for tool "${tool.name}": ${checked.issues}. Call it again with arguments that match its schema.`,
  };
}

/** Validate with the tool's schema; a promise only when the schema validates asynchronously. */
function validate(tool: AnyTool, value: unknown): Validated | Promise<Validated> {
  const checked = tool.validateInput(value);
  return checked instanceof Promise ? checked.then((c) => verdict(tool, c)) : verdict(tool, checked);
}

type Check = Extract<Plan, { kind: 'done' }> | { kind: 'valid'; tool: AnyTool; args: unknown; input: unknown };

/** Find the tool and check the call's arguments (a promise only for an asynchronous schema). */
function check(agent: ResolvedAgentOptions<unknown>, call: ToolCall): Check | Promise<Check> {
  const tool = agent.tools.get(call.name);
  if (!tool) {
    const names = [...agent.tools.keys()].join(', ') || 'none';
    return {
      kind: 'done',
      problem: 'a call to an unknown tool',
      content: `Error: there is no tool named "${call.name}". Available tools: ${names}.`,
      removed: call.name,
    };
  }
  const args = parseToolArguments(call.arguments);
  if (!args.ok)
    return {
      kind: 'done',
      problem: `invalid JSON arguments for tool "${tool.name}"`,
      content: `Error: the arguments of this call to "${tool.name}" are not valid JSON. Call it again with a JSON object.`,
    };
  const toCheck = (checked: Validated): Check =>
    checked.ok
      ? { kind: 'valid', tool, args: args.value, input: checked.input }
      : { kind: 'done', content: checked.content, problem: checked.problem };
  const checked = validate(tool, args.value);
  return checked instanceof Promise ? checked.then(toCheck) : toCheck(checked);
}

/** Whether any value is a promise (only asynchronous schemas make one: the common path stays synchronous). */
function anyPromise<T>(values: ReadonlyArray<T | Promise<T>>): values is ReadonlyArray<T | Promise<T>> {
  return values.some((v) => v instanceof Promise);
}

function plan(ctx: WorkflowContext, call: ToolCall, checked: Check, usedIds: Set<string>): Plan {
  if (checked.kind === 'done') return checked;
  const { tool, input } = checked;
  if (!tool.needsApproval(input)) return { kind: 'run', tool, input };
  // The model's call id is the approval id users know, unless it could name another approval
  // (approval-ids.ts): then the engine mints `tool:<name>#n`.
  const id = modelApprovalId(call.id, usedIds);
  const details: ToolApprovalDetails = { kind: 'tool-call', tool: tool.name, callId: call.id, arguments: checked.args };
  const approval = ctx.waitForApproval<{ input?: unknown }>(`tool:${tool.name}`, {
    ...(id ? { id } : {}),
    details,
    ...(tool.approvalTimeoutMs !== undefined ? { timeoutMs: tool.approvalTimeoutMs, defaultDecision: tool.approvalDefault } : {}),
  });
  return { kind: 'run', tool, input, approval };
}

function rejection(decision: ApprovalDecision): string {
  if (decision.by === 'cairn:expired')
    return 'The approval request for this call expired without a decision; the call was not executed.';
  return `The call was rejected by ${decision.by}${decision.reason ? ` (reason: ${decision.reason})` : ''} and was not executed. Do not retry it unchanged.`;
}

function engineOnUnknown(tool: AnyTool, callId: string, redact: RedactToolError): OnUnknown<unknown> {
  const policy = tool.onUnknown;
  if (typeof policy === 'function')
    return async (reconcile) => {
      try {
        return await policy({ ...reconcile, callId });
      } catch (error) {
        // A reconcile error reaches the model like a tool error: redact it the same way (ADR 0067).
        if (reconcile.signal.aborted && error === reconcile.signal.reason) throw error;
        throw redactToolError(error, { runId: reconcile.runId, tool: tool.name, callId }, redact);
      }
    };
  // 'report' and 'fail' both record OutcomeUnknownError; the agent decides below what it means.
  return policy === 'report' ? 'fail' : policy;
}

const UNKNOWN =
  'Error: the outcome of this call is unknown: the process running it stopped before it reported back. The action may or may not have happened; check its effect before calling it again.';

function toContent(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}

/** Run the tool calls of one reply and return one outcome per call, in call order. */
export async function runToolCalls(
  ctx: WorkflowContext,
  agent: ResolvedAgentOptions<unknown>,
  calls: readonly ToolCall[],
  usedApprovalIds: Set<string>,
): Promise<CallOutcome[]> {
  // All checks settle before the first approval wait, so waits start in call order whatever the schemas.
  const pending = calls.map((call) => check(agent, call));
  const checks = anyPromise(pending) ? await Promise.all(pending) : (pending as Check[]);
  const plans = calls.map((call, i) => plan(ctx, call, checks[i]!, usedApprovalIds));
  const decisions = await Promise.all(plans.map((p) => (p.kind === 'run' ? p.approval : undefined)));
  const judged = plans.map((p, i): Plan | Promise<Plan> => {
    const decision = decisions[i];
    if (p.kind !== 'run' || !decision) return p;
    if (!decision.approved) return { kind: 'done', content: rejection(decision) };
    if (decision.data && 'input' in decision.data) {
      // The approver edited the arguments: they must still match the schema.
      const toPlan = (checked: Validated): Plan =>
        checked.ok
          ? { kind: 'run', tool: p.tool, input: checked.input }
          : { kind: 'done', content: checked.content, problem: checked.problem };
      const checked = validate(p.tool, decision.data.input);
      return checked instanceof Promise ? checked.then(toPlan) : toPlan(checked);
    }
    return { kind: 'run', tool: p.tool, input: p.input };
  });
  const ready = anyPromise(judged) ? await Promise.all(judged) : (judged as Plan[]);
  // A call to a tool removed since it ran: the journal holds its outcome, so replay it (the step
  // function never runs) instead of diverging from the recorded calls.
  const replayed = new Set<number>();
  const settled = await Promise.allSettled(
    ready.map((p, i) => {
      if (p.kind === 'done' && p.removed !== undefined && nextCallIsRecorded(ctx, `tool:${p.removed}`)) {
        replayed.add(i);
        const name = p.removed;
        return ctx.step(`tool:${name}`, () => {
          throw new ToolError(
            `[@cairn/core] run "${ctx.runId}": tool "${name}" was removed; only its recorded outcome can replay`,
          );
        });
      }
      if (p.kind === 'done') return Promise.resolve(undefined);
      const callId = calls[i]!.id;
      return ctx.step(
        `tool:${p.tool.name}`,
        async (step) => {
          try {
            return await p.tool.execute(p.input, {
              runId: ctx.runId,
              callId,
              idempotencyKey: step.idempotencyKey ?? `${ctx.runId}:${step.stepId}`,
              signal: step.signal,
              attempt: step.attempt,
            });
          } catch (error) {
            // The engine's own abort reasons (cancel, step timeout) pass untouched; anything the
            // tool threw is redacted before the engine journals it or the model sees it (ADR 0067).
            if (step.signal.aborted && error === step.signal.reason) throw error;
            const info = { runId: ctx.runId, tool: p.tool.name, callId };
            throw redactToolError(error, info, p.tool.redactError ?? agent.redactToolError);
          }
        },
        {
          effect: p.tool.effect,
          // The call this step serves: a UI pairs the tool's output with its call by it (ADR 0135).
          // A call id too long to be a label (a hostile model) is left out: UIs fall back to call order.
          ...(callId.length <= MAX_STEP_LABEL ? { label: callId } : {}),
          onUnknown: engineOnUnknown(p.tool, callId, p.tool.redactError ?? agent.redactToolError),
          ...(p.tool.retry !== undefined ? { retry: p.tool.retry } : {}),
          ...(p.tool.timeoutMs !== undefined ? { timeoutMs: p.tool.timeoutMs } : {}),
        },
      );
    }),
  );
  return ready.map((p, i) => {
    const toolCallId = calls[i]!.id;
    const result = settled[i]!;
    if (replayed.has(i)) {
      const name = (p as { removed: string }).removed;
      if (result.status === 'fulfilled') return { message: { role: 'tool', toolCallId, content: toContent(result.value) } };
      const message = result.reason instanceof Error ? result.reason.message : String(result.reason);
      return {
        message: { role: 'tool', toolCallId, content: `Error: tool "${name}" failed: ${message}` },
        problem: `tool "${name}" failed`,
      };
    }
    if (p.kind === 'done')
      return { message: { role: 'tool', toolCallId, content: p.content }, ...(p.problem ? { problem: p.problem } : {}) };
    if (result.status === 'fulfilled') return { message: { role: 'tool', toolCallId, content: toContent(result.value) } };
    const error = result.reason;
    if (CairnError.is(error, 'outcome-unknown') && p.tool.onUnknown !== 'fail')
      return { message: { role: 'tool', toolCallId, content: UNKNOWN } };
    // Failures no model reply can fix end the run: a result that cannot be journaled, a policy of 'fail'.
    if (
      CairnError.is(error, 'outcome-unknown') ||
      CairnError.is(error, 'not-serializable') ||
      CairnError.is(error, 'payload-too-large')
    )
      throw error;
    const message = error instanceof Error ? error.message : String(error);
    return {
      message: { role: 'tool', toolCallId, content: `Error: tool "${p.tool.name}" failed: ${message}` },
      problem: `tool "${p.tool.name}" failed`,
    };
  });
}
