/**
 * The support agent's four tools. Two only read (`effect: 'retry'`: one journal write each, safe to
 * run again); two change the outside world (`effect: 'once'`, the default): their intent is
 * journaled before they run, and if the process dies mid-call, `onUnknown` looks the effect up in
 * the ledger by idempotency key instead of guessing.
 */
import { type AnyTool, NonRetriableError, type ToolContext, type ToolOnUnknown, tool } from '@cairn/core';
import { z } from 'zod';
import type { SideEffect, SideEffectLedger } from './side-effects.ts';
import { formatCents, ORDERS, STOCK } from './support-data.ts';

/** How slow the pretend backends are, so a person can watch (and interrupt) a run. */
export interface ToolDelays {
  /** A read (order lookup, stock check). */
  readMs: number;
  /** A write (refund, e-mail); half before the effect is recorded, half after. */
  writeMs: number;
}

/** Options of `createSupportTools`. */
export interface SupportToolsOptions {
  ledger: SideEffectLedger;
  delays: ToolDelays;
  /** Pause the run for a human before any refund (the browser demo: approve or reject it in the Inspector). */
  refundNeedsApproval: boolean;
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    signal.throwIfAborted();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** A short, stable reference derived from the idempotency key: a retried call gets the same one. */
function referenceOf(prefix: string, idempotencyKey: string): string {
  let hash = 2166136261;
  for (let i = 0; i < idempotencyKey.length; i++) hash = Math.imul(hash ^ idempotencyKey.charCodeAt(i), 16777619);
  return `${prefix}_${(hash >>> 0).toString(36).padStart(7, '0')}`;
}

/** Reconcile an in-flight call from the ledger: found → its recorded result; not found → run it again. */
function reconcileFrom<O>(ledger: SideEffectLedger, resultOf: (effect: SideEffect) => O): ToolOnUnknown<O> {
  return async ({ idempotencyKey }) => {
    const effect = await ledger.find(idempotencyKey);
    return effect ? { completed: true, result: resultOf(effect) } : { completed: false };
  };
}

const refundResult = (effect: SideEffect) => ({
  status: 'succeeded' as const,
  refundId: effect.reference,
  summary: effect.summary,
});
const emailResult = (effect: SideEffect) => ({ status: 'sent' as const, messageId: effect.reference });

/** The support agent's tools over a side-effect ledger. */
export function createSupportTools(options: SupportToolsOptions): AnyTool[] {
  const { ledger, delays } = options;

  async function effect(kind: SideEffect['kind'], ctx: ToolContext, summary: string): Promise<SideEffect> {
    await wait(delays.writeMs / 2, ctx.signal);
    const recorded: SideEffect = {
      kind,
      runId: ctx.runId,
      idempotencyKey: ctx.idempotencyKey,
      at: Date.now(),
      summary,
      reference: referenceOf(kind === 'refund' ? 'rf' : 'msg', ctx.idempotencyKey),
    };
    await ledger.record(recorded);
    // The effect has happened; a crash from here on leaves the journal without its result.
    await wait(delays.writeMs / 2, ctx.signal);
    return recorded;
  }

  const lookupOrder = tool({
    name: 'lookup_order',
    description: 'Look an order up by its id (e.g. A-1042): customer, status and items with prices in cents.',
    input: z.object({ orderId: z.string() }),
    effect: 'retry',
    async execute({ orderId }, ctx) {
      await wait(delays.readMs, ctx.signal);
      const order = ORDERS[orderId.trim().toUpperCase()];
      if (!order) throw new NonRetriableError(`no order "${orderId}"`);
      return order;
    },
  });

  const checkStock = tool({
    name: 'check_stock',
    description: 'How many units of a SKU are in stock, and in how many days the next delivery arrives.',
    input: z.object({ sku: z.string() }),
    effect: 'retry',
    async execute({ sku }, ctx) {
      await wait(delays.readMs, ctx.signal);
      const stock = STOCK[sku.trim().toUpperCase()];
      if (!stock) throw new NonRetriableError(`unknown SKU "${sku}"`);
      return { sku, ...stock };
    },
  });

  const issueRefund = tool({
    name: 'issue_refund',
    description: 'Refund money to the customer of an order. Moves real money: call it once per refund.',
    input: z.object({
      orderId: z.string(),
      sku: z.string(),
      amountCents: z.number().int().positive(),
      reason: z.string(),
    }),
    needsApproval: options.refundNeedsApproval,
    onUnknown: reconcileFrom(ledger, refundResult),
    async execute({ orderId, sku, amountCents, reason }, ctx) {
      const order = ORDERS[orderId.trim().toUpperCase()];
      const item = order?.items.find((i) => i.sku === sku.trim().toUpperCase());
      if (!item) throw new NonRetriableError(`order "${orderId}" has no item "${sku}"`);
      if (amountCents > item.priceCents * item.quantity)
        throw new NonRetriableError(`refund of ${formatCents(amountCents)} is more than the item cost`);
      return refundResult(
        await effect(
          'refund',
          ctx,
          `refund ${formatCents(amountCents)} to ${order!.customer.email}, ${orderId} ${sku}: ${reason}`,
        ),
      );
    },
  });

  const sendEmail = tool({
    name: 'send_email',
    description: 'Send an e-mail to a customer.',
    input: z.object({ to: z.string(), subject: z.string(), body: z.string() }),
    onUnknown: reconcileFrom(ledger, emailResult),
    async execute({ to, subject }, ctx) {
      return emailResult(await effect('email', ctx, `e-mail to ${to}: "${subject}"`));
    },
  });

  return [lookupOrder, checkStock, issueRefund, sendEmail];
}
