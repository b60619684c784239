/**
 * What every local model test server shares, whatever wire format it speaks (OpenAI chat
 * completions, Anthropic Messages): a `listenLocal` server on 127.0.0.1 under `/v1`, each request's
 * body read in full, a record of every request, a queue of faults taken one a request, a wait
 * before answering, JSON answers and server-sent events written with a pause after each, stopped
 * early on demand (the connection cut, or a clean end too soon). A wire format is a thin layer: it
 * checks the route, parses the body, records the request and turns a scripted reply into its
 * own JSON and events.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLocal } from './local-server.ts';

/** How a server paces its answers. */
export interface LocalModelServerPacing {
  /** Wait before answering each request (ms). */
  delayMs?: number;
  /** Characters per streamed text chunk (the wire format's default, which it applies itself). */
  chunkSize?: number;
  /** The pause after each streamed event (default 2 ms). */
  chunkDelayMs?: number;
}

/** What every server records of a request; a wire format adds its own fields. */
export interface LocalModelRequest<FaultKind extends string> {
  index: number;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are inspected freely in tests
  body: any;
  fault?: FaultKind;
}

/** A running local model server. */
export interface LocalModelServer<Recorded, Fault> {
  /** `http://127.0.0.1:<port>/v1` */
  readonly baseURL: string;
  readonly requests: Recorded[];
  /** Queue faults for the next requests, one request each. */
  fail(...faults: Fault[]): void;
  close(): Promise<void>;
}

/** How a stream stops before its last event: the connection cut, or a clean end after `frame`. */
export type StreamBreak = { kind: 'cut' } | { kind: 'end'; frame?: string };

/** Options of `ModelExchange.stream`. */
export interface EventStreamOptions {
  /** Headers besides the event-stream ones (a request id). */
  headers: Record<string, string>;
  /** Asked before each event: stop the stream here instead of writing it. */
  breakAt?(index: number): StreamBreak | undefined;
  /** Written as the end of a stream that ran its course (`data: [DONE]`). */
  closingFrame?: string;
}

/** One request, as the wire-format layer answers it. */
export interface ModelExchange<Recorded, Fault> {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The request body, read in full. */
  readonly rawBody: string;
  /** The index this request gets if recorded: how many were recorded before it. */
  readonly index: number;
  /** The next queued fault, taken off the queue. */
  takeFault(): Fault | undefined;
  /** Keep `request` in `requests`; returns it. */
  record(request: Recorded): Recorded;
  /** Wait `delayMs`, if set. */
  delay(): Promise<void>;
  /** Answer `status` with `body` as JSON; `headers` besides the content type (which they may override). */
  sendJson(status: number, headers: Record<string, string>, body: unknown): void;
  /** Like `sendJson`, with the body text as is (malformed JSON). */
  sendRawJson(status: number, headers: Record<string, string>, text: string): void;
  /**
   * Answer 200 with `frames` as server-sent events, pausing `chunkDelayMs` after each. Resolves
   * true when every frame and the end went out to a client still connected.
   */
  stream(frames: readonly string[], options: EventStreamOptions): Promise<boolean>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One server-sent event: `data` as is, under `event` when given. */
export function sseFrame(data: string, event?: string): string {
  return `${event === undefined ? '' : `event: ${event}\n`}data: ${data}\n\n`;
}

/** `text` in pieces of `size` characters (none for empty text). */
export function splitText(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}

/**
 * Start a server on 127.0.0.1 (a random port) that hands each request to `answer`; a throw there
 * becomes a 500 (`listenLocal`).
 *
 * @example
 * const server = await createLocalModelServer<Recorded, Fault>({ delayMs: 10 }, async (exchange) => {
 *   exchange.record({ index: exchange.index, body: JSON.parse(exchange.rawBody) });
 *   exchange.sendJson(200, {}, { ok: true });
 * });
 */
export async function createLocalModelServer<Recorded, Fault>(
  pacing: LocalModelServerPacing,
  answer: (exchange: ModelExchange<Recorded, Fault>) => Promise<void>,
): Promise<LocalModelServer<Recorded, Fault>> {
  const chunkDelayMs = pacing.chunkDelayMs ?? 2;
  const requests: Recorded[] = [];
  const faults: Fault[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parts: Buffer[] = [];
    for await (const part of req) parts.push(part as Buffer);
    const sendRawJson = (status: number, headers: Record<string, string>, text: string) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(text);
    };
    await answer({
      req,
      res,
      rawBody: Buffer.concat(parts).toString('utf8'),
      index: requests.length,
      takeFault: () => faults.shift(),
      record: (request) => {
        requests.push(request);
        return request;
      },
      delay: async () => {
        if (pacing.delayMs) await sleep(pacing.delayMs);
      },
      sendJson: (status, headers, body) => sendRawJson(status, headers, JSON.stringify(body)),
      sendRawJson,
      stream: async (frames, stream) => {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...stream.headers });
        for (let i = 0; i < frames.length; i++) {
          if (res.destroyed) return false;
          const stop = stream.breakAt?.(i);
          if (stop?.kind === 'cut') {
            res.socket?.destroy(); // the connection dies mid-stream
            return false;
          }
          if (stop?.kind === 'end') {
            res.end(stop.frame); // a clean end, but before the stream's own end
            return false;
          }
          res.write(frames[i]);
          if (chunkDelayMs > 0) await sleep(chunkDelayMs);
        }
        res.end(stream.closingFrame);
        return !res.destroyed;
      },
    });
  }

  const server = await listenLocal(handle);
  return {
    baseURL: `http://127.0.0.1:${server.port}/v1`,
    requests,
    fail: (...more) => faults.push(...more),
    close: () => server.close(),
  };
}
