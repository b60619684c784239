/**
 * The demo's small shop: one order, a stock table and the customer's message. Plain data so the
 * tools (and the scripted model) read the same facts in Node and in the browser.
 */

/** A line of an order. */
export interface OrderItem {
  sku: string;
  name: string;
  priceCents: number;
  quantity: number;
}

/** An order as `lookup_order` returns it. */
export interface Order {
  orderId: string;
  customer: { name: string; email: string };
  status: 'delivered' | 'shipped';
  deliveredOn: string;
  items: OrderItem[];
}

/** The orders the shop knows. */
export const ORDERS: Readonly<Record<string, Order>> = {
  'A-1042': {
    orderId: 'A-1042',
    customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
    status: 'delivered',
    deliveredOn: '2026-11-20',
    items: [
      { sku: 'MUG-STONE-12', name: 'Stoneware mug (12 oz)', priceCents: 1800, quantity: 1 },
      { sku: 'TEA-EARL-100', name: 'Earl Grey tea (100 g)', priceCents: 950, quantity: 2 },
    ],
  },
};

/** Units in stock per SKU, and when the next delivery comes. */
export const STOCK: Readonly<Record<string, { available: number; restockInDays: number | null }>> = {
  'MUG-STONE-12': { available: 0, restockInDays: 21 },
  'TEA-EARL-100': { available: 140, restockInDays: null },
};

/** What the customer wrote: the input of every demo run. */
export const CUSTOMER_MESSAGE =
  'Hi! Order A-1042 arrived today, but the stoneware mug was broken in the box. ' +
  'Could you send a new one, or refund it if you cannot? Thanks, Ada';

/** The agent's system message. */
export const SUPPORT_INSTRUCTIONS = [
  'You are the support agent of a small online tea shop.',
  'For a damaged item: look the order up, check whether the item is in stock, and if it is not,',
  'refund exactly the price of the damaged item (never more) with issue_refund.',
  'Then e-mail the customer what you did with send_email, and finish with a one-paragraph summary',
  'for the support log: what happened, what you did, the refund id.',
].join(' ');

/** Dollars from cents, for people. */
export function formatCents(cents: number): string {
  return `$${(cents / 100).toFixed(2)}`;
}
