/**
 * `toUIMessageStream(source, runId)`: the AI SDK UI message stream of a Cairn agent run (ADR 0135).
 * It opens with the chunks of everything the journal holds, then follows the run — per recorded
 * turn, plus the model's live text deltas when `source` is the runtime driving the run — and ends
 * with `finish` when the run ends or pauses. A client that reloads reads it again from the start and
 * rebuilds the same message with the same ids; nothing is asked of the model again.
 *
 * Invariants:
 * - journal items are read in seq order, each once, in pages of 256; a live delta is placed only
 *   after the journal has been read past every entry appended before its step started;
 * - live deltas are streamed only for model steps whose first attempt started after the stream
 *   subscribed (so the streamed text is whole); a retried attempt ends the live part, and the
 *   recorded text follows when the step ends;
 * - the stream ends only when the run's header says it ended or paused and the cursor is exactly at
 *   its last seq (a run that went on after a pause keeps the stream going);
 * - every wait is bounded by `pollMs`; `maxStreamMs` closes the stream without `finish` (the client
 *   reconnects and rebuilds); a cancelled stream stops its loop and its live subscription.
 */
import type { HistoryItem, RunEvent, RunInfo } from '@cairn/core';
import type { UIMessageChunk } from 'ai';
import { createRunMessageChunks } from './run-message-chunks.ts';

/**
 * Where a UI stream reads a run: a Cairn `Runtime`, or a Durable Objects run host client. Both have
 * these methods; a runtime's `handle(runId).events()` adds the live text deltas of runs it drives.
 */
export interface UIStreamSource {
  get(runId: string): Promise<RunInfo>;
  history(runId: string, options: { afterSeq: number; limit: number }): Promise<HistoryItem[]>;
  handle?(runId: string): { events(): AsyncIterable<RunEvent> };
}

/** Options of `toUIMessageStream`. */
export interface ToUIMessageStreamOptions {
  /** Longest wait for news of a run driven elsewhere (default 250 ms). */
  pollMs?: number;
  /** Close the stream (without `finish`) after this long; the client reconnects. Default: no limit. */
  maxStreamMs?: number;
  /** Stops the stream (e.g. the request's signal). */
  signal?: AbortSignal;
}

const PAGE = 256;

/**
 * The UI message chunks of run `runId`: the whole run so far from its journal, then live.
 *
 * @example
 * const stream = toUIMessageStream(runtime, runId);
 * for await (const message of readUIMessageStream({ stream })) render(message);
 */
export function toUIMessageStream(
  source: UIStreamSource,
  runId: string,
  options: ToUIMessageStreamOptions = {},
): ReadableStream<UIMessageChunk> {
  const pollMs = options.pollMs ?? 250;
  const deadline = options.maxStreamMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.maxStreamMs;
  const chunks = createRunMessageChunks(runId);
  let cancelled = false;
  let wake: (() => void) | undefined;
  const queued: RunEvent[] = [];
  let live: AsyncIterator<RunEvent> | undefined;

  const stop = (): void => {
    cancelled = true;
    wake?.();
    void live?.return?.();
  };
  options.signal?.addEventListener('abort', stop, { once: true });

  function subscribe(): void {
    if (!source.handle) return;
    live = source.handle(runId).events()[Symbol.asyncIterator]();
    const iterator = live;
    void (async () => {
      try {
        for (;;) {
          const next = await iterator.next();
          if (next.done || cancelled) return;
          queued.push(next.value);
          wake?.();
        }
      } catch {
        // Live events are a garnish: the journal, polled, is the truth.
      }
    })();
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });
  }

  return new ReadableStream<UIMessageChunk>({
    async start(controller) {
      let cursor = 0;
      const send = (list: UIMessageChunk[]): void => {
        for (const chunk of list) controller.enqueue(chunk);
      };
      async function drain(): Promise<void> {
        for (;;) {
          const items = await source.history(runId, { afterSeq: cursor, limit: PAGE });
          for (const item of items) {
            if (item.seq <= cursor) continue;
            cursor = item.seq;
            send(chunks.item(item));
          }
          if (items.length < PAGE || cancelled) return;
        }
      }
      try {
        subscribe();
        send(chunks.start());
        let checkHeader = true;
        let events: RunEvent[] = [];
        // Model steps whose first attempt began after this stream subscribed: only their deltas are
        // whole from the start. Others show their text when it is recorded.
        const startedLive = new Set<string>();
        for (;;) {
          if (cancelled) return;
          if (checkHeader) {
            // Header first, then the journal: an ended or paused run is read to exactly its last seq.
            const info = await source.get(runId);
            await drain();
            if (info.status !== 'running' && cursor === info.lastSeq) {
              send(chunks.end({ status: info.status, pauseReason: info.pauseReason, error: info.error }));
              controller.close();
              return;
            }
          }
          for (const event of events) {
            if (event.type === 'step-start') {
              if (event.attempt === 1) startedLive.add(event.stepId);
              else if (startedLive.delete(event.stepId)) send(chunks.abandon(event.stepId));
            } else if (event.type === 'text-delta' && startedLive.has(event.stepId)) {
              send(chunks.textDelta(event.stepId, event.delta));
            }
          }
          if (Date.now() >= deadline) {
            controller.close();
            return;
          }
          if (queued.length === 0) await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())));
          events = queued.splice(0);
          // Deltas alone need no read (their step's start was read with its step-start event); a
          // timeout or any other event may mean new entries.
          checkHeader = events.length === 0 || events.some((event) => event.type !== 'text-delta');
        }
      } catch (error) {
        if (cancelled) return;
        // A failure mid-stream: say so in the protocol and close; the client may reconnect.
        send([{ type: 'error', errorText: error instanceof Error ? error.message : String(error) }]);
        controller.close();
      } finally {
        options.signal?.removeEventListener('abort', stop);
        stop();
      }
    },
    cancel() {
      stop();
    },
  });
}
