/**
 * The agent the AI SDK end-to-end tests run in child processes, over `@ai-sdk/anthropic` or
 * `@ai-sdk/openai` (chat completions) pointed at a local server, and the replies those servers give.
 *
 * `book_flight` is the side effect: it appends one line per call to a file (callId, idempotency key,
 * flight). Its `onUnknown` reconciles by looking its idempotency key up in that file, so a kill
 * between the append and the journal write is neither repeated nor reported as unknown.
 * `cancel_booking` needs a human's approval.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { Agent, type DurableStore, tool } from '@cairn/core';
import { z } from 'zod';
import { createAISDKModel } from '../../src/ai-sdk-model.ts';
import type { ScriptedMessage } from './anthropic-test-server.ts';

export type Provider = 'anthropic' | 'openai';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The booking lines written so far. */
export function readBookings(file: string): Array<{ callId: string; key: string; flight: string }> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [callId, key, flight] = line.split('\t');
      return { callId: callId!, key: key!, flight: flight! };
    });
}

/** Options of `createTravelAgent`. */
export interface TravelAgentOptions {
  store: DurableStore;
  provider: Provider;
  baseURL: string;
  apiKey: string;
  bookingsFile: string;
  owner: string;
}

/** The travel agent; `model` picks the server's script (`travel` or `cancel`). */
export function createTravelAgent(options: TravelAgentOptions) {
  const findFlight = tool({
    name: 'find_flight',
    description: 'Find a flight to a city',
    input: z.object({ city: z.string() }),
    effect: 'retry',
    execute: async ({ city }) => {
      await sleep(5);
      return { flight: `${city.slice(0, 3).toUpperCase()}-101` };
    },
  });
  const bookFlight = tool({
    name: 'book_flight',
    description: 'Book a flight',
    input: z.object({ flight: z.string() }),
    execute: async ({ flight }, ctx) => {
      await sleep(10);
      appendFileSync(options.bookingsFile, `${ctx.callId}\t${ctx.idempotencyKey}\t${flight}\n`);
      await sleep(20);
      return { booked: flight };
    },
    onUnknown: async ({ idempotencyKey }) => {
      const booking = readBookings(options.bookingsFile).find((b) => b.key === idempotencyKey);
      return booking ? { completed: true, result: { booked: booking.flight } } : { completed: false };
    },
  });
  const cancelBooking = tool({
    name: 'cancel_booking',
    description: 'Cancel a booking',
    input: z.object({ bookingId: z.string() }),
    needsApproval: true,
    execute: ({ bookingId }, ctx) => {
      appendFileSync(options.bookingsFile, `${ctx.callId}\t${ctx.idempotencyKey}\tcancel:${bookingId}\n`);
      return { cancelled: bookingId };
    },
  });
  const provider =
    options.provider === 'anthropic'
      ? createAnthropic({ baseURL: options.baseURL, apiKey: options.apiKey })
      : createOpenAI({ baseURL: options.baseURL, apiKey: options.apiKey }).chat;
  return (model: string) =>
    new Agent({
      name: `travel-${options.provider}-${model}`,
      model: createAISDKModel(provider(model), { maxRetryAfterMs: 2000 }),
      instructions: 'You book travel. Find flights, book each once, then summarise.',
      tools: [findFlight, bookFlight, cancelBooking],
      maxTurns: 10,
      modelRetry: { maxAttempts: 8, backoff: { initialMs: 10, factor: 2, maxMs: 100, jitter: 0 } },
      store: options.store,
      runtime: { owner: options.owner, leaseMs: 1000 },
    });
}

const PLAN: Array<Array<{ name: string; input: object }>> = [
  [
    { name: 'find_flight', input: { city: 'Paris' } },
    { name: 'find_flight', input: { city: 'Rome' } },
  ],
  [{ name: 'book_flight', input: { flight: 'PAR-101' } }],
  [
    { name: 'book_flight', input: { flight: 'ROM-101' } },
    { name: 'book_flight', input: { flight: 'OSL-101' } },
  ],
];

/** A provider-neutral reply: text and tool calls (ids without a provider prefix). */
interface Reply {
  text?: string;
  calls?: Array<{ id: string; name: string; input: object }>;
}

/** The tool results a request carries, in order, in either wire format. */
// biome-ignore lint/suspicious/noExplicitAny: request bodies as the servers received them
function toolResults(body: any): string[] {
  const out: string[] = [];
  for (const m of body.messages) {
    if (m.role === 'tool') out.push(m.content);
    if (m.role === 'user' && Array.isArray(m.content))
      for (const p of m.content)
        if (p.type === 'tool_result')
          out.push(typeof p.content === 'string' ? p.content : p.content.map((c: { text: string }) => c.text).join(''));
  }
  return out;
}

// biome-ignore lint/suspicious/noExplicitAny: request bodies as the servers received them
function reply(body: any): Reply {
  const turn = body.messages.filter((m: { role: string }) => m.role === 'assistant').length;
  if (body.model === 'cancel') {
    if (turn === 0) return { calls: [{ id: 'cancel_1', name: 'cancel_booking', input: { bookingId: 'B1' } }] };
    return { text: `Cancel outcome: ${toolResults(body).at(-1)}` };
  }
  if (body.model === 'schema-miss') {
    // Two calls of one tool in one reply, the first failing the tool's schema (no step runs for it).
    if (turn === 0)
      return {
        calls: [
          { id: 'miss_0', name: 'find_flight', input: { town: 'Paris' } },
          { id: 'miss_1', name: 'find_flight', input: { city: 'Rome' } },
        ],
      };
    return { text: 'Found one flight.' };
  }
  const calls = PLAN[turn];
  if (calls) return { text: `Step ${turn + 1}.`, calls: calls.map((c, i) => ({ id: `${turn}_${i}`, ...c })) };
  const booked = toolResults(body)
    .map((r) => {
      try {
        return JSON.parse(r).booked as string | undefined;
      } catch {
        return `?${r}`;
      }
    })
    .filter(Boolean);
  return { text: `Booked ${booked.length} flights (${booked.join(', ')}).` };
}

/** The Anthropic server's script. */
// biome-ignore lint/suspicious/noExplicitAny: request bodies as the server received them
export function anthropicReply(body: any): ScriptedMessage {
  const r = reply(body);
  return {
    ...(r.text ? { text: r.text } : {}),
    ...(r.calls ? { toolCalls: r.calls.map((c) => ({ ...c, id: `toolu_${c.id}` })) } : {}),
    usage: { input: 100, output: 20 },
  };
}

/** The chat completions server's script. */
// biome-ignore lint/suspicious/noExplicitAny: request bodies as the server received them
export function openaiReply(body: any) {
  const r = reply(body);
  return {
    ...(r.text ? { text: r.text } : {}),
    ...(r.calls
      ? { toolCalls: r.calls.map((c) => ({ id: `call_${c.id}`, name: c.name, arguments: JSON.stringify(c.input) })) }
      : {}),
    usage: { prompt: 100, completion: 20 },
  };
}

export const TRAVEL_OUTPUT = 'Booked 3 flights (PAR-101, ROM-101, OSL-101).';
