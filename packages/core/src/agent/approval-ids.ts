/**
 * Approval ids of an agent run live in two disjoint namespaces (ADR 0066):
 * - ids the engine mints all contain `#`: the `waitForApproval` default `<name>#<n>` (the budget's
 *   `budget#n`, a tool call's fallback `tool:<tool>#n`) and `unknown:<name>#<n>` (a step whose
 *   outcome is unknown, policy `'pause'`);
 * - a model's tool call id is used verbatim only when it is a valid approval id **without** `#`
 *   that no other call of the run took; any other call gets the engine's `tool:<tool>#n`.
 * So no model — a custom one, a proxy — can name the budget's approval or another call's, and
 * stock provider ids (`call_…`, `toolu_…`) stay the approval ids users see, as before.
 */
import type { PendingApproval } from '../engine/run-info.ts';
import type { ToolApprovalDetails } from './tool-calls.ts';

/** What the engine accepts as an approval id (engine/workflow-context.ts). */
const APPROVAL_ID = /^[A-Za-z0-9_.:#@/-]{1,200}$/;

/**
 * The model's call id when it may be this call's approval id (and record it as taken), or
 * `undefined`: the caller then lets the engine mint `tool:<tool>#n`.
 */
export function modelApprovalId(callId: string, used: Set<string>): string | undefined {
  if (!APPROVAL_ID.test(callId) || callId.includes('#') || used.has(callId)) return undefined;
  used.add(callId);
  return callId;
}

function isToolCall(details: unknown): details is ToolApprovalDetails {
  return typeof details === 'object' && details !== null && (details as { kind?: unknown }).kind === 'tool-call';
}

/**
 * The approval `agent.approve(runId, id)` means: a pending approval with exactly that id, else the
 * one pending tool call whose model call id it is (so `approve(runId, callId)` keeps working when
 * the call got an id of the engine's namespace). Anything else is passed on unchanged, for the
 * runtime to refuse with `ApprovalNotFoundError`.
 */
export function resolveApprovalId(pending: readonly PendingApproval[], id: string): string {
  if (pending.some((p) => p.approvalId === id)) return id;
  const calls = pending.filter((p) => isToolCall(p.details) && p.details.callId === id);
  return calls.length === 1 ? calls[0]!.approvalId : id;
}
