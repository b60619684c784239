/**
 * The workflow of the portable-run test, shared by the Chromium page (where it starts and pauses on
 * an approval) and the Worker (where it is imported and finishes). `report` counts each step's
 * execution where it runs, so the test proves the quote is not run again after the move.
 */
import { defineWorkflow } from '@cairn/core';

/** A refund: quote it, wait for a human, pay it. */
export function refundFlow(report: (step: string) => unknown) {
  return defineWorkflow('portable-refund', async (ctx, input: { orderId: string; cents: number }) => {
    const quote = await ctx.step('quote', async () => {
      await report('quote');
      return { orderId: input.orderId, cents: input.cents, fee: 50 };
    });
    const decision = await ctx.waitForApproval('refund', { details: quote });
    if (!decision.approved) return 'refused';
    const paid = await ctx.step('pay', async () => {
      await report('pay');
      return { refundId: `rf_${quote.orderId}` };
    });
    return `${paid.refundId}: ${quote.cents - quote.fee} cents, approved by ${decision.by}`;
  });
}
