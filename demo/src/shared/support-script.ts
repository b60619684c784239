/**
 * What the offline scripted model answers. The reply is a pure function of the conversation — it
 * reads the tool results the way a real model would — so a resumed run gets exactly the replies an
 * uninterrupted one would, and a rejected refund changes what the "model" does next.
 */
import type { AgentMessage, ModelRequest, Script, ScriptedReply } from '@cairn/core';
import { formatCents, type Order } from './support-data.ts';

/** The steps of the scripted run (model calls and tool calls), for progress bars. */
export const SCRIPTED_STEP_COUNT = 9;

function toolResults(messages: readonly AgentMessage[]): string[] {
  return messages.filter((m) => m.role === 'tool').map((m) => m.content ?? '');
}

function parse<T>(text: string | undefined): T | undefined {
  try {
    return text === undefined ? undefined : (JSON.parse(text) as T);
  } catch {
    return undefined;
  }
}

/** Why a refund did not happen, in a few words: a human's rejection, or the tool's error. */
function whyNot(result: string | undefined): string {
  const rejected = /rejected by (.+?)(?: \(reason: (.+?)\))? and was not executed/.exec(result ?? '');
  if (rejected) return `rejected by ${rejected[1]}${rejected[2] ? `: ${rejected[2]}` : ''}`;
  return result ? result.slice(0, 100) : 'no result';
}

function reply(text: string, name?: string, args?: object): ScriptedReply {
  return name ? { text, toolCalls: [{ name, arguments: args ?? {} }] } : text;
}

/** The scripted support agent: look up, check stock, refund, e-mail, summarise. */
export const supportScript: Script = (request: ModelRequest, { turn }) => {
  const userText = request.messages.find((m) => m.role === 'user')?.content ?? '';
  const orderId = /\b[A-Z]-\d{3,}\b/.exec(userText)?.[0] ?? 'A-1042';
  const results = toolResults(request.messages);
  const order = parse<Order>(results[0]);
  // The damaged item is the one the customer names; the first item otherwise.
  const said = userText.toLowerCase();
  const item =
    order?.items.find((i) =>
      i.name
        .toLowerCase()
        .split(/\W+/)
        .some((word) => word.length > 3 && said.includes(word)),
    ) ?? order?.items[0];
  const refund = parse<{ status?: string; refundId?: string }>(results[2]);
  const refunded = refund?.status === 'succeeded';
  switch (turn) {
    case 0:
      return reply(`Sorry to hear that! Let me pull up order ${orderId}.`, 'lookup_order', { orderId });
    case 1:
      if (!order || !item) return reply(`I could not find order ${orderId}. Could you check the number?`);
      return reply(`Found it: the ${item.name}, SKU ${item.sku}. Is there a replacement in stock?`, 'check_stock', {
        sku: item.sku,
      });
    case 2:
      return reply(
        `None in stock for three weeks, so I will refund the mug (${formatCents(item!.priceCents)}).`,
        'issue_refund',
        {
          orderId,
          sku: item!.sku,
          amountCents: item!.priceCents,
          reason: 'arrived broken, no replacement in stock',
        },
      );
    case 3:
      return reply('Now I will let the customer know.', 'send_email', {
        to: order!.customer.email,
        subject: refunded ? `Your refund for order ${orderId}` : `About your order ${orderId}`,
        body: refunded
          ? `Hi ${order!.customer.name.split(' ')[0]}, sorry about the broken ${item!.name}. We have no replacement in stock for three weeks, so we refunded ${formatCents(item!.priceCents)} (refund ${refund!.refundId}). It should reach your card in 3–5 days.`
          : `Hi ${order!.customer.name.split(' ')[0]}, sorry about the broken ${item!.name}. A colleague will review your refund and get back to you today.`,
      });
    default:
      return refunded
        ? `Order ${orderId}: the ${item!.name} arrived broken and is out of stock for 3 weeks, so I refunded ${formatCents(item!.priceCents)} (refund ${refund!.refundId}) and e-mailed ${order!.customer.email}. Ticket closed.`
        : `Order ${orderId}: the ${item!.name} arrived broken. The refund was not issued (${whyNot(results[2])}), so I told ${order!.customer.email} a colleague will follow up. Ticket left open for a human.`;
  }
};
