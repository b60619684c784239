/**
 * The side effect of the agent e2e tests: a `node:http` server on 127.0.0.1 that the page's
 * `forecast` tool calls, standing in for a third-party API with idempotency keys (a payment, an
 * e-mail). It records every call as it arrives, keyed by the tool's idempotency key, so a test can
 * tell a call made twice from a call made once, and a call lost from a call recorded; it tracks
 * the calls in flight per run, to prove that two tabs never drive one run at the same time.
 *
 * A test can `hold()` the calls: they are recorded on arrival as always but answer only once
 * released, like a slow API, so a tab can be reloaded or closed while a call is surely in flight.
 *
 * Routes (CORS open to any origin, the page is served from another port):
 * - `POST /forecast?key=&run=&tab=&owner=&city=`: a call. Answers after `delayMs` with
 *   `{ result }`; the call is recorded on arrival and finishes even if the caller went away (a
 *   reloaded or closed tab), as a real server would.
 * - `GET /forecast?key=`: the reconcile lookup. `{ found: true, result }` for a known key (waiting
 *   for the call to finish if it is still in flight), `{ found: false }` otherwise.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The deterministic answer for a city, so runs with and without interruptions can be compared. */
export interface Forecast {
  city: string;
  sky: string;
  highC: number;
}

/** One POST, as the endpoint saw it. */
export interface ToolCallRecord {
  key: string;
  runId: string;
  /** The tab that sent it (`tab` of the page URL) and its runtime's lease owner. */
  tab: string;
  owner: string;
  city: string;
  startedAt: number;
  endedAt?: number;
  result?: Forecast;
}

/** One reconcile lookup. */
export interface LookupRecord {
  key: string;
  found: boolean;
  at: number;
}

/** A running endpoint. */
export interface ToolEndpoint {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every POST, in arrival order. */
  readonly calls: readonly ToolCallRecord[];
  /** Every GET lookup, in arrival order. */
  readonly lookups: readonly LookupRecord[];
  /** How many POSTs each idempotency key got, for one run. */
  countsByKey(runId: string): Record<string, number>;
  /** The most POSTs of `runId` that were in flight at the same moment. */
  maxInFlight(runId: string): number;
  /** Calls of `runId` in flight right now. */
  inFlight(runId: string): number;
  /**
   * Resolves with a POST of `runId` in flight: the current one if there is one, else the next to
   * arrive. Rejects after `timeoutMs`. Call `hold()` first to keep the call in flight.
   */
  callInFlight(runId: string, timeoutMs: number): Promise<ToolCallRecord>;
  /** Calls answer only after the returned function is called (and their delay has passed). */
  hold(): () => void;
  close(): Promise<void>;
}

const SKIES = ['sunny', 'cloudy', 'rainy', 'windy', 'foggy', 'snowy'];

/** What the endpoint answers for `city`: a pure function of the name. */
export function forecastFor(city: string): Forecast {
  let hash = 0;
  for (const char of city) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return { city, sky: SKIES[hash % SKIES.length] ?? 'sunny', highC: 5 + (hash % 25) };
}

function send(response: ServerResponse, status: number, body?: unknown): void {
  // The caller may be gone (a reloaded tab): writing to its socket must not crash the server.
  response.on('error', () => {});
  response.writeHead(status, {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'GET, POST',
    'access-control-allow-headers': 'content-type',
    'access-control-max-age': '600',
    'cache-control': 'no-store',
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
  });
  response.end(body === undefined ? undefined : JSON.stringify(body));
}

/** Start the endpoint on 127.0.0.1 (a port the OS picks). Each call takes `delayMs`. */
export async function startToolEndpoint(options: { delayMs: number }): Promise<ToolEndpoint> {
  const calls: ToolCallRecord[] = [];
  const lookups: LookupRecord[] = [];
  const running = new Map<string, number>();
  const peaks = new Map<string, number>();
  const finished = new Map<string, Promise<void>>();
  const timers = new Set<NodeJS.Timeout>();
  const arrivals = new Set<(call: ToolCallRecord) => void>();
  const holds = new Set<() => void>();
  let held: Promise<void> = Promise.resolve();

  function handleCall(params: URLSearchParams, response: ServerResponse): void {
    const call: ToolCallRecord = {
      key: params.get('key') ?? '',
      runId: params.get('run') ?? '',
      tab: params.get('tab') ?? '',
      owner: params.get('owner') ?? '',
      city: params.get('city') ?? '',
      startedAt: Date.now(),
    };
    if (!call.key || !call.runId || !call.city) {
      send(response, 400, { error: 'key, run and city are required' });
      return;
    }
    // Recorded on arrival: from now on the effect has happened as far as the caller can know.
    calls.push(call);
    const now = (running.get(call.runId) ?? 0) + 1;
    running.set(call.runId, now);
    peaks.set(call.runId, Math.max(peaks.get(call.runId) ?? 0, now));
    for (const notify of [...arrivals]) notify(call);
    finished.set(
      call.key,
      new Promise<void>((resolve) => {
        const timer = setTimeout(async () => {
          timers.delete(timer);
          await held;
          call.result = forecastFor(call.city);
          call.endedAt = Date.now();
          running.set(call.runId, (running.get(call.runId) ?? 1) - 1);
          send(response, 200, { result: call.result });
          resolve();
        }, options.delayMs);
        timers.add(timer);
      }),
    );
  }

  async function handleLookup(params: URLSearchParams, response: ServerResponse): Promise<void> {
    const key = params.get('key') ?? '';
    const pending = finished.get(key);
    lookups.push({ key, found: pending !== undefined, at: Date.now() });
    if (!pending) return send(response, 200, { found: false });
    await pending;
    // The first call with this key is the effect; a repeated POST (a bug the tests catch) is not.
    const result = calls.find((call) => call.key === key && call.result)?.result;
    send(response, 200, { found: true, result });
  }

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method === 'OPTIONS') return send(response, 204);
    if (url.pathname !== '/forecast') return send(response, 404, { error: 'not found' });
    if (request.method === 'POST') return handleCall(url.searchParams, response);
    if (request.method === 'GET') return void handleLookup(url.searchParams, response);
    send(response, 405, { error: 'method not allowed' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    lookups,
    countsByKey(runId) {
      const counts: Record<string, number> = {};
      for (const call of calls) if (call.runId === runId) counts[call.key] = (counts[call.key] ?? 0) + 1;
      return counts;
    },
    maxInFlight: (runId) => peaks.get(runId) ?? 0,
    inFlight: (runId) => running.get(runId) ?? 0,
    callInFlight(runId, timeoutMs) {
      const current = calls.find((call) => call.runId === runId && call.endedAt === undefined);
      if (current) return Promise.resolve(current);
      return new Promise((resolve, reject) => {
        const onCall = (call: ToolCallRecord): void => {
          if (call.runId !== runId) return;
          clearTimeout(timer);
          arrivals.delete(onCall);
          resolve(call);
        };
        const timer = setTimeout(() => {
          arrivals.delete(onCall);
          reject(new Error(`no call of run "${runId}" arrived within ${timeoutMs} ms`));
        }, timeoutMs);
        arrivals.add(onCall);
      });
    },
    hold() {
      const previous = held;
      let release!: () => void;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      held = Promise.all([previous, released]).then(() => undefined);
      holds.add(release);
      return () => {
        holds.delete(release);
        release();
      };
    },
    async close() {
      for (const release of holds) release();
      holds.clear();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      arrivals.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
