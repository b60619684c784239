/**
 * The UI message stream over HTTP, framed the way the AI SDK's `useChat` (`DefaultChatTransport`)
 * reads it: Server-Sent Events, one `data: <chunk JSON>` per chunk, `data: [DONE]` at the end, and
 * the `x-vercel-ai-ui-message-stream: v1` header. Framed here rather than with the AI SDK's own
 * helpers so `ai` stays a types-only dependency (a Worker bundles nothing of it).
 */
import type { UIMessageChunk } from 'ai';
import { type ToUIMessageStreamOptions, toUIMessageStream, type UIStreamSource } from './ui-message-stream.ts';

/** The headers of a UI message stream response (the AI SDK's `UI_MESSAGE_STREAM_HEADERS`). */
export const UI_STREAM_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-vercel-ai-ui-message-stream': 'v1',
  'x-accel-buffering': 'no',
};

/** Chunks as SSE text: `data: <json>\n\n` each, then `data: [DONE]\n\n`. */
export function toUIStreamSse(stream: ReadableStream<UIMessageChunk>): ReadableStream<string> {
  return stream.pipeThrough(
    new TransformStream<UIMessageChunk, string>({
      transform(chunk, controller) {
        controller.enqueue(`data: ${JSON.stringify(chunk)}\n\n`);
      },
      flush(controller) {
        controller.enqueue('data: [DONE]\n\n');
      },
    }),
  );
}

/**
 * A `Response` streaming run `runId`'s UI messages (Workers, Deno, Bun, Next.js route handlers). The
 * run is read once before the response starts, so a missing run rejects (`RunNotFoundError`) instead
 * of answering an empty stream.
 *
 * @example
 * export const GET = (request: Request) => createRunUIStreamResponse(runtime, runIdOf(request), { signal: request.signal });
 */
export async function createRunUIStreamResponse(
  source: UIStreamSource,
  runId: string,
  options: ToUIMessageStreamOptions & { headers?: Record<string, string> } = {},
): Promise<Response> {
  await source.get(runId);
  const body = toUIStreamSse(toUIMessageStream(source, runId, options)).pipeThrough(new TextEncoderStream());
  return new Response(body, { headers: { ...UI_STREAM_HEADERS, ...options.headers } });
}

/** What `pipeRunUIStream` needs of a Node `ServerResponse` (structural: no Node types here). */
export interface NodeResponseLike {
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: string): boolean;
  end(): unknown;
  once(event: 'close' | 'drain', listener: () => void): unknown;
  readonly writableEnded?: boolean;
}

/**
 * Stream run `runId`'s UI messages into a Node `http.ServerResponse`, honouring back-pressure; the
 * stream stops when the client goes away. Resolves when the response is finished. A missing run
 * rejects before anything is written (answer it as a 404).
 *
 * @example
 * http.createServer(async (request, response) => {
 *   await pipeRunUIStream(response, runtime, runIdOf(request)).catch(() => response.writeHead(404).end());
 * });
 */
export async function pipeRunUIStream(
  response: NodeResponseLike,
  source: UIStreamSource,
  runId: string,
  options: ToUIMessageStreamOptions & { headers?: Record<string, string> } = {},
): Promise<void> {
  await source.get(runId);
  const aborter = new AbortController();
  const stop = (): void => aborter.abort();
  options.signal?.addEventListener('abort', stop, { once: true });
  response.once('close', stop);
  response.writeHead(200, { ...UI_STREAM_HEADERS, ...options.headers });
  const reader = toUIStreamSse(toUIMessageStream(source, runId, { ...options, signal: aborter.signal })).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done || aborter.signal.aborted) break;
      if (!response.write(value)) await new Promise<void>((resolve) => response.once('drain', resolve));
    }
  } finally {
    options.signal?.removeEventListener('abort', stop);
    await reader.cancel().catch(() => {});
    if (!response.writableEnded) response.end();
  }
}

/** Options of `uiStreamRoute`. */
export interface UIStreamRouteOptions {
  /** Longest wait between two reads of the run's host (default 250 ms). */
  pollMs?: number;
  /** Longest life of one response (default 5 minutes); the client then reconnects and rebuilds. */
  maxStreamMs?: number;
}

/**
 * The `uiStream` hook of `handleRunsRequest` (`@cairn/storage-durable-objects`): serves
 * `GET /runs/:id/ui-stream` from the run's host, polled (text deltas stay inside the object).
 *
 * @example
 * handleRunsRequest(request, { host, authorize: bearerAuth(env.CAIRN_TOKEN), uiStream: uiStreamRoute() });
 */
export function uiStreamRoute(
  options: UIStreamRouteOptions = {},
): (host: UIStreamSource, runId: string, request: Request) => Promise<Response> {
  return (host, runId, request) =>
    createRunUIStreamResponse(host, runId, {
      pollMs: options.pollMs ?? 250,
      maxStreamMs: options.maxStreamMs ?? 300_000,
      signal: request.signal,
    });
}
