/**
 * What the UI stream tests share: the travel agent over `@ai-sdk/openai` on a SQLite file, and the
 * message the AI SDK builds from a UI message stream (with the raw chunks).
 */
import { join } from 'node:path';
import { createSqliteStore } from '@cairn/storage-node';
import { readUIMessageStream, type UIMessage, type UIMessageChunk } from 'ai';
import { createTravelAgent } from './travel-agent.ts';

/** The travel agent (`model`: the server's script) on `<dir>/<name>.db`. */
export function openTravel(dir: string, name: string, baseURL: string, model = 'travel') {
  const store = createSqliteStore({ path: join(dir, `${name}.db`) });
  const agent = createTravelAgent({
    store,
    provider: 'openai',
    baseURL,
    apiKey: 'sk-test-ui',
    bookingsFile: join(dir, `${name}.bookings`),
    owner: `test-${name}`,
  })(model);
  return {
    agent,
    close: async () => {
      await agent.close();
      await store.close();
    },
  };
}

/** Every chunk of `stream`, and the message the AI SDK builds from them. */
export async function readAll(stream: ReadableStream<UIMessageChunk>): Promise<{ chunks: UIMessageChunk[]; message: UIMessage }> {
  const [forChunks, forMessage] = stream.tee();
  const chunks: UIMessageChunk[] = [];
  const collecting = (async () => {
    for await (const chunk of forChunks) chunks.push(chunk);
  })();
  let message: UIMessage | undefined;
  for await (const state of readUIMessageStream({ stream: forMessage, terminateOnError: true })) message = state;
  await collecting;
  if (!message) throw new Error('the stream built no message');
  return { chunks, message };
}

/** The text parts' texts. */
export const texts = (message: UIMessage) => message.parts.flatMap((part) => (part.type === 'text' ? [part.text] : []));
/** The tool parts, without provider details. */
export const tools = (message: UIMessage) =>
  message.parts.flatMap((part) =>
    part.type.startsWith('tool-')
      ? [
          (({ type, toolCallId, state, input, output }) => ({ type, toolCallId, state, input, output }))(
            part as { type: string; toolCallId: string; state: string; input: unknown; output?: unknown },
          ),
        ]
      : [],
  );

/** The tool parts of a completed travel run. */
export const TRAVEL_TOOLS = [
  {
    type: 'tool-find_flight',
    toolCallId: 'call_0_0',
    state: 'output-available',
    input: { city: 'Paris' },
    output: { flight: 'PAR-101' },
  },
  {
    type: 'tool-find_flight',
    toolCallId: 'call_0_1',
    state: 'output-available',
    input: { city: 'Rome' },
    output: { flight: 'ROM-101' },
  },
  {
    type: 'tool-book_flight',
    toolCallId: 'call_1_0',
    state: 'output-available',
    input: { flight: 'PAR-101' },
    output: { booked: 'PAR-101' },
  },
  {
    type: 'tool-book_flight',
    toolCallId: 'call_2_0',
    state: 'output-available',
    input: { flight: 'ROM-101' },
    output: { booked: 'ROM-101' },
  },
  {
    type: 'tool-book_flight',
    toolCallId: 'call_2_1',
    state: 'output-available',
    input: { flight: 'OSL-101' },
    output: { booked: 'OSL-101' },
  },
];
