/**
 * The runs HTTP API's streaming and portable routes (ADR 0122):
 *
 *   GET  /runs/:id/events   Server-Sent Events: the run's journal as events, then followed until
 *                           `run-end`. Each event's `id:` is its journal seq; a client that
 *                           reconnects with `Last-Event-ID: n` (EventSource does it by itself) or
 *                           `?fromSeq=n+1` gets the events after n, read from the journal: nothing is
 *                           run or spent again.
 *   GET  /runs/:id/export   the run as a portable JSON-lines document (`text/plain`, one JSON value a line)
 *   POST /runs/import       body: such a document → 201 with the imported run's info
 *
 * Invariants:
 * - a stream polls its host at most every `pollMs` and lives at most `maxStreamMs`, after which it
 *   closes with a `retry:` hint: the client reconnects with its Last-Event-ID and loses nothing;
 * - a client that goes away cancels the stream: the poll loop stops at its next turn;
 * - every SSE event is `id: <seq>`, `event: <type>`, `data: <one line of JSON>`.
 */
import { CairnError, InvalidArgumentError, parsePortableRun } from '@cairn/core';
import type { RunHostApi } from './host-api.ts';
import { errorResponse, json, problem } from './http-responses.ts';
import { readBoundedText } from './request-body.ts';
import { ADAPTER } from './schema.ts';

/** Options of the event stream route. */
export interface EventStreamRouteOptions {
  /** Pause between two polls of the host while nothing is new (default 250 ms). */
  pollMs?: number;
  /** Longest life of one stream (default 60 s); the client then reconnects with Last-Event-ID. */
  maxStreamMs?: number;
}

/** Where a stream starts: `?fromSeq=` wins, else `Last-Event-ID` + 1, else 1. */
function startSeq(request: Request, url: URL): number {
  const fromSeq = url.searchParams.get('fromSeq');
  if (fromSeq !== null) {
    if (!/^\d{1,15}$/.test(fromSeq)) throw new InvalidArgumentError(`[${ADAPTER}] fromSeq must be a non-negative integer`);
    return Math.max(1, Number(fromSeq));
  }
  const last = request.headers.get('last-event-id');
  if (last !== null && last.trim() !== '') {
    if (!/^\d{1,15}$/.test(last.trim()))
      throw new InvalidArgumentError(`[${ADAPTER}] Last-Event-ID must be a journal seq (an integer)`);
    return Number(last.trim()) + 1;
  }
  return 1;
}

/**
 * `GET /runs/:id/events` for `host`. The first page is read before the response starts, so a
 * missing run is a 404, not an empty stream.
 */
export async function eventStreamResponse(
  host: RunHostApi,
  runId: string,
  request: Request,
  options: EventStreamRouteOptions = {},
): Promise<Response> {
  const pollMs = options.pollMs ?? 250;
  const maxStreamMs = options.maxStreamMs ?? 60_000;
  const url = new URL(request.url);
  let fromSeq = startSeq(request, url);
  let page = await host.events(runId, { fromSeq });
  const encoder = new TextEncoder();
  const deadline = Date.now() + maxStreamMs;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (text: string) => controller.enqueue(encoder.encode(text));
      try {
        send(`retry: ${Math.max(pollMs, 1000)}\n\n`);
        for (;;) {
          for (const event of page.events) send(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
          fromSeq = page.nextSeq;
          if (page.ended || cancelled || Date.now() >= deadline) break;
          if (page.events.length === 0) {
            send(': waiting\n\n');
            await new Promise((resolve) => setTimeout(resolve, pollMs));
            if (cancelled) break;
          }
          page = await host.events(runId, { fromSeq });
        }
      } catch (error) {
        // Mid-stream failure: tell the client (it reconnects with its Last-Event-ID) and stop.
        const message = error instanceof Error ? error.message : String(error);
        if (!cancelled) send(`event: error\ndata: ${JSON.stringify({ error: { message } })}\n\n`);
      }
      if (!cancelled) controller.close();
    },
    cancel() {
      cancelled = true;
    },
  });
  return new Response(stream, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    },
  });
}

/** `GET /runs/:id/export`. */
export async function exportResponse(host: RunHostApi, runId: string): Promise<Response> {
  const document = await host.exportRun(runId);
  return new Response(document, {
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      'content-disposition': `attachment; filename="${runId}.cairn-run.jsonl"`,
    },
  });
}

/** `POST /runs/import`: the run id is read from the document first, so per-run routing finds its object. */
export async function importResponse(
  hostFor: (runId: string) => RunHostApi,
  request: Request,
  base: string,
  maxBodyBytes: number,
): Promise<Response> {
  try {
    const document = await readBoundedText(request, maxBodyBytes);
    const { run } = parsePortableRun(document);
    const info = await hostFor(run.runId).importRun(document);
    return json(info, 201, { location: `${base}/${encodeURIComponent(info.runId)}` });
  } catch (error) {
    // A document that does not validate is the client's mistake, not a damaged store.
    if (CairnError.is(error, 'corrupt-journal')) return problem(400, error.code, error.message);
    return errorResponse(error);
  }
}
