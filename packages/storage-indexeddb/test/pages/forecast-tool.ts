/**
 * The agent's side effect: a tool that calls an HTTP endpoint with the call's idempotency key
 * (test/tool-endpoint.ts). It is `effect: 'once'` with a reconcile function, the pattern for any
 * API with idempotency keys: when a tab died during a call, the next driver asks the endpoint
 * whether that key was seen, records the endpoint's answer if so and calls again only if not. So
 * a reload during the call neither repeats the effect nor loses its result.
 */
import { type AgentTool, tool } from '@cairn/core';
import { z } from 'zod';

/** What the endpoint answers (the same shape as `Forecast` in test/tool-endpoint.ts). */
export interface Forecast {
  city: string;
  sky: string;
  highC: number;
}

/** Where the tool sends its calls, and who is calling (recorded by the endpoint). */
export interface ForecastToolOptions {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** The tab's name, recorded with each call. */
  tab: string;
  /** The runtime's lease owner, recorded with each call. */
  owner(): string;
}

async function readJson<T>(response: Response, what: string): Promise<T> {
  if (!response.ok) throw new Error(`${what} answered HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** The `forecast` tool. */
export function forecastTool(options: ForecastToolOptions): AgentTool<{ city: string }, Forecast> {
  return tool<{ city: string }, Forecast>({
    name: 'forecast',
    description: 'The weather forecast for a city',
    input: z.object({ city: z.string().min(1) }),
    effect: 'once',
    async execute({ city }, { runId, idempotencyKey, signal }) {
      const query = new URLSearchParams({ key: idempotencyKey, run: runId, tab: options.tab, owner: options.owner(), city });
      // No body and no custom header: a CORS "simple" request, so no preflight can be in flight
      // when the tab dies, and the call reaches the endpoint whole or not at all.
      const response = await fetch(`${options.endpoint}/forecast?${query}`, { method: 'POST', signal });
      return (await readJson<{ result: Forecast }>(response, 'the forecast endpoint')).result;
    },
    async onUnknown({ idempotencyKey, signal }) {
      const response = await fetch(`${options.endpoint}/forecast?${new URLSearchParams({ key: idempotencyKey })}`, { signal });
      const lookup = await readJson<{ found: boolean; result?: Forecast }>(response, 'the forecast lookup');
      return lookup.found && lookup.result ? { completed: true, result: lookup.result } : { completed: false };
    },
  });
}
