// Real Chromium: a page reads an agent run's UI message stream with the AI SDK's own client
// (`DefaultChatTransport.reconnectToStream` + `readUIMessageStream`) from a node:http server that
// serves it with `pipeRunUIStream`. The run (travel agent, `@ai-sdk/openai`, a slow local chat
// completions server, SQLite) is driven by this process; the page is reloaded twice mid-run. After
// each reload the page shows everything it showed before, with the same ids; at the end it shows
// the message the journal rebuilds, and the model server saw each request once.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { launchChromium, openTab, type ServedPage, servePage } from '@cairn/test-rigs/chromium';
import { createOpenAITestServer, type OpenAITestServer } from '@cairn/test-rigs/openai-test-server';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import type { UIMessage } from 'ai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openaiReply, readBookings, TRAVEL_OUTPUT } from '../../test/test-support/travel-agent.ts';
import { openTravel, readAll, TRAVEL_TOOLS, texts, tools } from '../../test/test-support/ui-stream-support.ts';
import { pipeRunUIStream, toUIMessageStream } from './index.ts';

type Browser = Awaited<ReturnType<typeof launchChromium>>;
type Page = Awaited<ReturnType<typeof openTab>>;

const temp = makeTempDir('ai-sdk-ui-chromium');
let model: OpenAITestServer;
let browser: Browser;
let site: ServedPage;

beforeAll(async () => {
  // Slow enough to reload twice mid-run: ~0.3 s per request, 3 characters every 50 ms.
  [model, browser, site] = await Promise.all([
    createOpenAITestServer({ respond: openaiReply, delayMs: 300, chunkDelayMs: 50, chunkSize: 3 }),
    launchChromium(),
    servePage(new URL('../../test/ui-page/ui-stream-page.ts', import.meta.url), { bundle: true }),
  ]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await site?.close();
  await model?.close();
  temp.remove();
});

type PageState = Window['uiStream'];
const stateOf = (page: Page): Promise<PageState> => page.evaluate(() => window.uiStream);

/** Every part of `before` is in `after` at the same place: same type and ids, text grown at most. */
function expectShownAgain(before: UIMessage, after: UIMessage): void {
  expect(after.id).toBe(before.id);
  expect(after.parts.length).toBeGreaterThanOrEqual(before.parts.length);
  before.parts.forEach((part, index) => {
    const now = after.parts[index] as typeof part;
    expect(now.type).toBe(part.type);
    if (part.type === 'text') expect((now as typeof part).text.startsWith(part.text)).toBe(true);
    if ('toolCallId' in part) {
      expect(now).toMatchObject({ toolCallId: part.toolCallId, input: part.input });
      if (part.state === 'output-available') expect(now).toMatchObject({ state: 'output-available', output: part.output });
    }
  });
}

async function waitForState(page: Page, what: string, ok: (state: PageState) => boolean, timeoutMs = 15_000): Promise<PageState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await stateOf(page);
    if (state.error) throw new Error(`the page failed while waiting for ${what}: ${state.error}`);
    if (ok(state)) return state;
    if (Date.now() > deadline) throw new Error(`the page did not show ${what} in ${timeoutMs} ms: ${JSON.stringify(state)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it('a page reloaded twice mid-run shows the whole assistant message each time; no model call repeated', {
  timeout: 90_000,
}, async () => {
  const { agent, close } = openTravel(temp.path, 'reload', model.baseURL);
  let http: Server | undefined;
  try {
    http = createServer((request, response) => {
      const runId = decodeURIComponent(/^\/runs\/([^/]+)\/ui-stream$/.exec(request.url ?? '')?.[1] ?? '');
      pipeRunUIStream(response, agent.runtime, runId, { headers: { 'access-control-allow-origin': site.origin } }).catch(() => {
        if (!response.headersSent) response.writeHead(404, { 'access-control-allow-origin': site.origin });
        response.end();
      });
    });
    const server = http;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const runId = 'ui_reload';
    const requestsBefore = model.requests.length;
    // Queued, not driven yet: the page connects first, then the run starts to move.
    await agent.runtime.start(agent.workflow, 'Book Paris, Rome and Oslo.', { runId, drive: false });
    const context = await browser.newContext();
    const errors: string[] = [];
    const page = await openTab(context, `${site.url}?api=${encodeURIComponent(api)}&run=${runId}`, 'uiStream', { errors });
    await waitForState(page, 'the stream to start', (state) => state.message !== null);
    const running = agent.resume(runId);

    // Reload 1: once the first turn's tool outputs are shown. Reload 2: once a booking is shown.
    const reloadPoints: Array<(message: UIMessage) => boolean> = [
      (message) => tools(message).some((part) => part.state === 'output-available'),
      (message) => tools(message).some((part) => part.type === 'tool-book_flight' && part.state === 'output-available'),
    ];
    for (const [index, reached] of reloadPoints.entries()) {
      const before = await waitForState(
        page,
        `reload point ${index + 1}`,
        (state) => state.message !== null && reached(state.message),
      );
      expect((await agent.runtime.get(runId)).status, `reload ${index + 1} happens mid-run`).toBe('running');
      await page.reload();
      await page.waitForFunction(() => 'uiStream' in window);
      const message = before.message as UIMessage;
      const after = await waitForState(
        page,
        `what it showed before reload ${index + 1}`,
        (state) => state.message !== null && state.message.parts.length >= message.parts.length,
      );
      expectShownAgain(message, after.message as UIMessage);
    }

    const final = await waitForState(page, 'the finished run', (state) => state.done, 30_000);
    expect((await running).status).toBe('completed');
    const message = final.message as UIMessage;
    expect(message.metadata).toMatchObject({ runId, status: 'completed' });
    expect(texts(message)).toEqual(['Step 1.', 'Step 2.', 'Step 3.', TRAVEL_OUTPUT]);
    expect(tools(message)).toEqual(TRAVEL_TOOLS);
    // What the page shows is what a fresh reader rebuilds from the journal.
    expect(message).toEqual((await readAll(toUIMessageStream(agent.runtime, runId))).message);
    expect(await page.locator('pre').textContent()).toContain(`text: ${TRAVEL_OUTPUT}`);
    expect(errors).toEqual([]);

    // The model server saw the run's four requests, each once; each booking happened once.
    const bodies = model.requests.slice(requestsBefore).map((request) => request.rawBody);
    expect(bodies).toHaveLength(4);
    expect(new Set(bodies).size).toBe(4);
    expect(
      readBookings(`${temp.path}/reload.bookings`)
        .map((booking) => booking.flight)
        .sort(),
    ).toEqual(['OSL-101', 'PAR-101', 'ROM-101']);
    await context.close();
  } finally {
    if (http) {
      http.closeAllConnections();
      await new Promise((resolve) => http?.close(resolve));
    }
    await close();
  }
});
