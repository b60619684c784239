/**
 * The demo's workflow: draft a follow-up message, sleep durably (the object's alarm wakes the run,
 * even if the object was evicted meanwhile), wait for a human to approve, then send it.
 */
import { defineWorkflow, NonRetriableError } from '@cairn/core';

/** Input of `follow-up`. */
export interface FollowUpInput {
  customer: string;
  /** How long to wait before asking for approval (default 5 s, at most 1 h). */
  delayMs?: number;
}

/** The follow-up workflow. */
export const followUp = defineWorkflow('follow-up', async (ctx, input: FollowUpInput) => {
  const draft = await ctx.step('draft', () => {
    if (typeof input?.customer !== 'string' || input.customer.length === 0) {
      throw new NonRetriableError('follow-up: input.customer must be a non-empty string');
    }
    return `Hi ${input.customer}, how did the refund go?`;
  });
  await ctx.sleep(Math.min(Math.max(Number(input.delayMs ?? 5000) || 0, 0), 3_600_000));
  const decision = await ctx.waitForApproval('send', { details: { draft } });
  if (!decision.approved) return { sent: false, draft };
  const sent = await ctx.step('send', (step) => ({ messageId: `msg_${step.idempotencyKey}` }), { effect: 'once' });
  return { sent: true, draft, messageId: sent.messageId, approvedBy: decision.by };
});
