/**
 * Workflows and agents the test host runs. Every side effect is counted in a ledger (a separate
 * object), keyed by run id: the agent's scripted model reads its ledger's name from a
 * `[ledger:<name>]` tag in the user's message, since a model sees the conversation, not the run.
 */
import { createScriptedModel, defineAgent, defineWorkflow, type ModelRequest, NonRetriableError, tool } from '@cairn/core';
import { z } from 'zod';
import { ledger } from './ledger-object.ts';

const TAG = /\[ledger:([A-Za-z0-9_:-]+)\]/;

/** The ledger of an uninterrupted refund run: each call once. */
export const REFUND_CALLS: readonly string[] = [
  'model:0',
  'tool:lookup_order:start',
  'tool:lookup_order:end',
  'model:1',
  'tool:issue_refund:start',
  'tool:issue_refund:end',
  'model:2',
];

/** The ledger of a refund run whose third model call was interrupted by a reset and made again. */
export const REFUND_CALLS_THIRD_MODEL_CALL_REPEATED: readonly string[] = [...REFUND_CALLS, 'model:2'];

/** The user message of a refund request whose calls are counted in ledger `name`. */
export function refundRequest(name: string, orderId = 'A-1'): string {
  return `Order ${orderId} arrived broken, please refund it. [ledger:${name}]`;
}

function ledgerOf(request: ModelRequest): string | undefined {
  const user = request.messages.find((message) => message.role === 'user');
  return user ? TAG.exec(user.content)?.[1] : undefined;
}

function lastToolResult(request: ModelRequest): Record<string, unknown> {
  const last = request.messages.filter((message) => message.role === 'tool').at(-1);
  try {
    return JSON.parse(last?.content ?? '{}') as Record<string, unknown>;
  } catch {
    return { error: last?.content };
  }
}

/**
 * A refund agent: look the order up, refund it, confirm. Each model call is counted as
 * `model:<turn>` before it answers; a test holds a call by setting the flag `hold:model:<turn>:<attempt>`
 * (the call then waits 30 s, long enough for the test to reset the object under it).
 */
export function refundAgent(name: string, options: { approvalOver?: number } = {}) {
  const model = createScriptedModel(async (request, { turn }) => {
    const name = ledgerOf(request);
    if (name) {
      const attempt = await ledger(name).record(`model:${turn}`);
      if (await ledger(name).hasFlag(`hold:model:${turn}:${attempt}`)) await new Promise((r) => setTimeout(r, 30_000));
      // The endpoint is "down" for this turn until the test clears the flag (a 503 after retries).
      if (await ledger(name).hasFlag(`fail:model:${turn}`)) throw new NonRetriableError('model endpoint answered 503');
    }
    const orderId = /Order (\S+)/.exec(request.messages.find((m) => m.role === 'user')?.content ?? '')?.[1] ?? 'A-1';
    if (turn === 0) return { text: 'Looking the order up.', toolCalls: [{ name: 'lookup_order', arguments: { orderId } }] };
    if (turn === 1) {
      const order = lastToolResult(request);
      return { toolCalls: [{ name: 'issue_refund', arguments: { orderId, amount: order.total } }] };
    }
    const refund = lastToolResult(request);
    return typeof refund.refundId === 'string'
      ? `Refunded ${refund.amount} EUR for order ${orderId} (refund ${refund.refundId}).`
      : `I could not refund order ${orderId}.`;
  });
  const lookupOrder = tool({
    name: 'lookup_order',
    description: 'Look an order up',
    input: z.object({ orderId: z.string() }),
    execute: async ({ orderId }, { runId }) => {
      await ledger(runId).record('tool:lookup_order:start');
      const order = { orderId, total: 42.5, currency: 'EUR' };
      await ledger(runId).record('tool:lookup_order:end');
      return order;
    },
  });
  const issueRefund = tool({
    name: 'issue_refund',
    description: 'Refund an order',
    input: z.object({ orderId: z.string(), amount: z.number().positive() }),
    needsApproval: ({ amount }) => options.approvalOver !== undefined && amount > options.approvalOver,
    execute: async ({ orderId, amount }, { runId }) => {
      await ledger(runId).record('tool:issue_refund:start');
      const refund = { refundId: `rf_${orderId}`, amount };
      await ledger(runId).record('tool:issue_refund:end');
      return refund;
    },
  });
  return defineAgent({ name, model, instructions: 'You handle refunds.', tools: [lookupOrder, issueRefund], maxTurns: 5 });
}

/** A durable sleep between two counted steps. */
export const nap = defineWorkflow('nap', async (ctx, input: { ms: number; ledger: string }) => {
  await ctx.step('before', () => ledger(input.ledger).record('nap:before'));
  await ctx.sleep(input.ms);
  return ctx.step('after', async () => {
    await ledger(input.ledger).record('nap:after');
    return 'rested';
  });
});

/** Waits for the signal `name`. */
export const greeter = defineWorkflow('greeter', async (ctx, _input: null) => {
  const name = await ctx.waitForSignal<string>('name');
  return ctx.step('greet', () => `Hello, ${name}!`);
});

/** Two approvals in a row: the first is decided while the run waits for the second. */
export const twoKeys = defineWorkflow('two-keys', async (ctx, _input: null) => {
  const first = await ctx.waitForApproval('first');
  const second = await ctx.waitForApproval('second');
  return [first.by, second.by];
});
