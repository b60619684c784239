/**
 * The demo's agent: a refund assistant with two tools, on the scripted model, so it runs with no
 * API key. The script answers from the conversation only (never from how often it was called), so
 * a run resumed after a reset gets the same replies. Swap in `createOpenAIModel({ model, apiKey })`
 * (from `@cairn/core/openai`) for a real model; nothing else changes.
 */
import { createScriptedModel, defineAgent, type ModelRequest, tool } from '@cairn/core';
import { z } from 'zod';

const ORDERS: Record<string, { total: number; item: string }> = {
  'A-1': { total: 42.5, item: 'a ceramic teapot' },
  'B-2': { total: 12, item: 'a pack of filters' },
};

function userText(request: ModelRequest): string {
  return request.messages.find((message) => message.role === 'user')?.content ?? '';
}

function lastToolResult(request: ModelRequest): Record<string, unknown> | string {
  const content = request.messages.filter((message) => message.role === 'tool').at(-1)?.content ?? '';
  try {
    return JSON.parse(content) as Record<string, unknown>;
  } catch {
    return content;
  }
}

const model = createScriptedModel((request, { turn }) => {
  const orderId = /\b([A-Z]-\d+)\b/.exec(userText(request))?.[1] ?? 'A-1';
  if (turn === 0) {
    return { text: `Let me look up order ${orderId}.`, toolCalls: [{ name: 'lookup_order', arguments: { orderId } }] };
  }
  const result = lastToolResult(request);
  if (turn === 1) {
    if (typeof result === 'string' || typeof result.total !== 'number') return `I could not find order ${orderId}.`;
    return { toolCalls: [{ name: 'issue_refund', arguments: { orderId, amount: result.total } }] };
  }
  if (typeof result !== 'string' && typeof result.refundId === 'string') {
    return `Done: refunded ${result.amount} EUR for order ${orderId} (refund ${result.refundId}).`;
  }
  return `I did not refund order ${orderId}: ${typeof result === 'string' ? result : 'the refund failed'}`;
});

const lookupOrder = tool({
  name: 'lookup_order',
  description: 'Look an order up by id',
  input: z.object({ orderId: z.string() }),
  effect: 'retry', // a read: safe to repeat, one journal write
  execute: ({ orderId }) => {
    const order = ORDERS[orderId];
    if (!order) throw new Error(`no order ${orderId}`);
    return { orderId, ...order, currency: 'EUR' };
  },
});

const issueRefund = tool({
  name: 'issue_refund',
  description: 'Refund an order',
  input: z.object({ orderId: z.string(), amount: z.number().positive() }),
  // A human approves refunds over 20 EUR: the run pauses until POST /runs/:id/approve.
  needsApproval: ({ amount }) => amount > 20,
  // effect 'once' (the default): journaled before it runs. Pass the idempotency key to a real
  // payment API so a retried call can never refund twice.
  execute: ({ orderId, amount }, { idempotencyKey }) => ({ refundId: `rf_${orderId}`, amount, idempotencyKey }),
});

/** The refund agent. */
export const support = defineAgent({
  name: 'support',
  model,
  instructions: 'You are a support agent. Look orders up before refunding them.',
  tools: [lookupOrder, issueRefund],
  maxTurns: 6,
});
