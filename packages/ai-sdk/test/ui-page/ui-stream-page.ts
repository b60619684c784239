/**
 * A page that shows one agent run as the AI SDK client sees it: `DefaultChatTransport` reconnects
 * to the run's UI message stream (`?api=<origin>&run=<runId>`, path `/runs/:id/ui-stream`) and
 * `readUIMessageStream` builds the assistant message, rendered into the page and kept on
 * `window.uiStream` for the test. Reloading the page starts over from the stream's beginning.
 */
import { DefaultChatTransport, readUIMessageStream, type UIMessage } from 'ai';

declare global {
  interface Window {
    uiStream: { message: UIMessage | null; updates: number; done: boolean; error: string | null };
  }
}

const params = new URL(location.href).searchParams;
const api = params.get('api') ?? '';
const runId = params.get('run') ?? '';
const state: Window['uiStream'] = { message: null, updates: 0, done: false, error: null };
window.uiStream = state;

const view = document.createElement('pre');
document.body.append(view);

function render(message: UIMessage): void {
  view.textContent = message.parts
    .map((part) => {
      if (part.type === 'text') return `text: ${part.text}`;
      if (part.type.startsWith('tool-')) {
        const tool = part as { type: string; state: string; output?: unknown };
        return `${tool.type} [${tool.state}] ${tool.output === undefined ? '' : JSON.stringify(tool.output)}`;
      }
      return part.type;
    })
    .join('\n');
}

async function main(): Promise<void> {
  const transport = new DefaultChatTransport({
    api: `${api}/chat`,
    prepareReconnectToStreamRequest: ({ id }) => ({ api: `${api}/runs/${encodeURIComponent(id)}/ui-stream` }),
  });
  const stream = await transport.reconnectToStream({ chatId: runId });
  if (!stream) throw new Error(`no stream for run ${runId}`);
  for await (const message of readUIMessageStream({ stream, terminateOnError: true })) {
    state.message = structuredClone(message);
    state.updates++;
    render(message);
  }
  state.done = true;
}

main().catch((error: unknown) => {
  state.error = error instanceof Error ? error.message : String(error);
});
