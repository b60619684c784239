/**
 * The token budget gate, checked before every model call. Usage comes from `ctx.usage()`, which the
 * engine derives from the journal in call order, so the gate opens and closes at the same turn on
 * replay as it did live.
 */
import type { WorkflowContext } from '../engine/workflow.ts';
import { BudgetExceededError } from '../errors.ts';

/** Details shown to the approver of a budget pause. */
export interface BudgetApprovalDetails {
  kind: 'budget';
  usedTokens: number;
  maxTokens: number;
}

/** What a budget approval may carry: a new limit (default: another `maxTokens` on top of what is used). */
export interface BudgetApprovalData {
  maxTokens?: number;
}

/**
 * Return the limit to apply from now on. When the run has used `limit` tokens or more, pause it
 * (reason `budget`) until someone approves — with `data: { maxTokens }` to set a new limit — or
 * rejects, which fails the run with `BudgetExceededError`.
 */
export async function budgetGate(ctx: WorkflowContext, limit: number, grant: number): Promise<number> {
  const used = ctx.usage().totalTokens;
  if (used < limit) return limit;
  const details: BudgetApprovalDetails = { kind: 'budget', usedTokens: used, maxTokens: limit };
  // The engine mints `budget#n`; no tool call can take an id with `#` (approval-ids.ts, ADR 0066).
  const decision = await ctx.waitForApproval<BudgetApprovalData>('budget', { reason: 'budget', details });
  if (!decision.approved) {
    throw new BudgetExceededError(
      `[@cairn/core] run "${ctx.runId}": token budget of ${limit} exceeded (${used} used); raising it was rejected by ${decision.by}`,
    );
  }
  const raised = decision.data?.maxTokens;
  return typeof raised === 'number' && Number.isFinite(raised) && raised > used ? raised : used + grant;
}
