/**
 * @cairn/ai-sdk/ui — the AI SDK UI message stream of a Cairn agent run, rebuilt from its journal and
 * followed live, so a `useChat` client that reloads, or reconnects to an evicted Durable Object,
 * gets the whole message again without a model call being repeated (ADR 0135, 0136).
 */
export type { RunMessageChunks, RunMessageMetadata, RunStreamEnd } from './run-message-chunks.ts';
export { createRunMessageChunks } from './run-message-chunks.ts';
export type { ToUIMessageStreamOptions, UIStreamSource } from './ui-message-stream.ts';
export { toUIMessageStream } from './ui-message-stream.ts';
export type { NodeResponseLike, UIStreamRouteOptions } from './ui-stream-response.ts';
export {
  createRunUIStreamResponse,
  pipeRunUIStream,
  toUIStreamSse,
  UI_STREAM_HEADERS,
  uiStreamRoute,
} from './ui-stream-response.ts';
