/**
 * The page of the mountInspector test: an IndexedDB store, a workflow that pauses on an approval,
 * one run of it, and the inspector mounted over the store with the workflow (so approving continues
 * the run in this page).
 */
import { createRuntime, defineWorkflow } from '@cairn/core';
import { createIndexedDBStore } from '@cairn/storage-indexeddb';
import { mountInspector } from '../src/index.ts';

const refund = defineWorkflow('refund', async (ctx, input: { orderId: string }) => {
  const quote = await ctx.step('quote', async () => ({ orderId: input.orderId, cents: 900 }));
  const decision = await ctx.waitForApproval('refund', { details: quote });
  return decision.approved ? `refunded ${quote.orderId}, approved by ${decision.by}` : 'refused';
});

const store = createIndexedDBStore({ name: `inspector-mount-${crypto.randomUUID()}` });
const seeding = createRuntime({ store, workflows: [refund] });
await (await seeding.start(refund, { orderId: 'M-1' }, { runId: 'mounted_run' })).settled();
await seeding.close();
const element = document.createElement('div');
document.body.append(element);
mountInspector(element, { store, workflows: [refund], pollMs: 200 });
(window as unknown as { mounted: boolean }).mounted = true;
