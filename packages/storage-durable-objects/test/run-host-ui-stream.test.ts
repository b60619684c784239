/**
 * `GET /runs/:id/ui-stream` in workerd, read by the AI SDK's own client (`DefaultChatTransport` +
 * `readUIMessageStream`): the object hosting the run is reset with a real `ctx.abort()` while the
 * stream is open and the run's third model call is in flight. The open stream reports the failure;
 * the run finishes by the alarm alone; a reconnect rebuilds the whole message — the parts the first
 * stream showed, with the same ids, and the rest — without a completed model call made again.
 */

import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { uiStreamRoute } from '@cairn/ai-sdk/ui';
import { DefaultChatTransport, readUIMessageStream, type UIMessage } from 'ai';
import { expect, it } from 'vitest';
import { createRunHostClient, handleRunsRequest } from '../src/index.ts';
import { REFUND_CALLS_THIRD_MODEL_CALL_REPEATED, refundRequest } from './host-fixtures.ts';
import { hostLedger } from './host-object.ts';
import { ledger } from './ledger-object.ts';
import { waitFor } from './wait-for.ts';

const unique = () => crypto.randomUUID().slice(0, 8);
const OUTPUT = 'Refunded 42.5 EUR for order A-1 (refund rf_A-1).';

/** The AI SDK's reconnecting transport, its requests served by the runs API with a fresh stub each. */
function transportFor(objectId: DurableObjectId) {
  const uiStream = uiStreamRoute({ pollMs: 20 });
  return new DefaultChatTransport({
    api: 'http://test/chat',
    prepareReconnectToStreamRequest: ({ id }) => ({ api: `http://test/runs/${encodeURIComponent(id)}/ui-stream` }),
    fetch: (input, init) =>
      handleRunsRequest(new Request(input as string, init), {
        // A stub of a reset object stays broken; each request gets a new one.
        host: () => createRunHostClient(env.HOST_OBJECT.get(objectId)),
        authorize: (request) => request.headers.get('authorization') === 'Bearer ui-token',
        uiStream,
      }),
    headers: { authorization: 'Bearer ui-token' },
  });
}

const parts = (message: UIMessage) =>
  message.parts.map((part) => {
    if (part.type === 'text') return `text:${part.text}`;
    if ('toolCallId' in part) return `${part.type}:${part.toolCallId}:${part.state}`;
    return part.type;
  });

it('a UI stream open while its object is reset mid-run: the reconnect shows the whole message, no completed call repeated', {
  timeout: 30_000,
}, async () => {
  const stub = env.HOST_OBJECT.getByName(`ui-${unique()}`);
  const runs = createRunHostClient(stub);
  const witness = hostLedger(stub.id);
  const runId = `ui_abort_${unique()}`;
  const calls = ledger(runId);
  await calls.setFlag('hold:model:2:1'); // the third model call hangs on its first attempt
  await runs.start('refund-agent', refundRequest(runId), { runId });

  // First connection: read until the refund's output is shown, while the third model call hangs.
  const transport = transportFor(stub.id);
  const first = await transport.reconnectToStream({ chatId: runId });
  if (!first) throw new Error('no stream');
  let shown: UIMessage | undefined;
  const reading = (async () => {
    try {
      for await (const message of readUIMessageStream({ stream: first, terminateOnError: true })) shown = message;
      return 'ended';
    } catch (error) {
      return `error: ${(error as Error).message}`;
    }
  })();
  await waitFor(
    'the refund output in the stream',
    async () => (shown ? parts(shown) : []),
    (list) => list.some((part) => part.startsWith('tool-issue_refund:') && part.endsWith(':output-available')),
    { timeoutMs: 10_000 },
  );
  await waitFor(
    'the third model call to start',
    () => calls.count('model:2'),
    (n) => n === 1,
    { timeoutMs: 5000 },
  );
  const before = shown as UIMessage;
  expect(parts(before)).toEqual([
    'step-start',
    'text:Looking the order up.',
    expect.stringMatching(/^tool-lookup_order:.+:output-available$/),
    'step-start',
    expect.stringMatching(/^tool-issue_refund:.+:output-available$/),
  ]);

  // A real reset of the object while the stream is open.
  await expect(runInDurableObject(stub, (_instance, state) => state.abort('reset by the test'))).rejects.toThrow();
  // The open stream cannot reach the object through its old stub: it says so and ends, unfinished.
  expect(await reading).toMatch(/^error: /);
  expect(shown?.metadata).toEqual({ runId });

  // The run finishes by the alarm alone (no request reaches the object until it has ended).
  await waitFor(
    'the run to end',
    () => witness.entries(),
    (entries) => entries.some((entry) => entry.startsWith(`end:${runId}:`)),
    { timeoutMs: 15_000, everyMs: 50 },
  );

  // Reconnect (as useChat's resumeStream would): the whole message, the first stream's parts first.
  const again = await transport.reconnectToStream({ chatId: runId });
  if (!again) throw new Error('no stream');
  let message: UIMessage | undefined;
  for await (const state of readUIMessageStream({ stream: again, terminateOnError: true })) message = state;
  const final = message as UIMessage;
  expect(final.id).toBe(runId);
  expect(final.metadata).toEqual({ runId, status: 'completed' });
  expect(parts(final).slice(0, parts(before).length)).toEqual(parts(before));
  expect(parts(final).slice(parts(before).length)).toEqual(['step-start', `text:${OUTPUT}`]);
  const refund = final.parts.find((part) => part.type === 'tool-issue_refund');
  expect(refund).toMatchObject({
    state: 'output-available',
    input: { orderId: 'A-1', amount: 42.5 },
    output: { refundId: 'rf_A-1' },
  });
  expect(final.parts[2]).toMatchObject({
    type: 'tool-lookup_order',
    toolCallId: (before.parts[2] as { toolCallId: string }).toolCallId,
  });

  // Completed calls ran once; only the call the reset interrupted ran again. Streams called nothing.
  const expected = REFUND_CALLS_THIRD_MODEL_CALL_REPEATED;
  expect(await calls.entries()).toEqual(expected);
  const third = await transport.reconnectToStream({ chatId: runId });
  if (!third) throw new Error('no stream');
  for await (const _ of readUIMessageStream({ stream: third, terminateOnError: true })) {
    // read to the end
  }
  expect(await calls.entries()).toEqual(expected);
});

it('refuses without the token (401), answers 404 for a missing run, and 404 where no uiStream hook is set', async () => {
  const stub = env.HOST_OBJECT.getByName(`ui-${unique()}`);
  const host = createRunHostClient(stub);
  const serve = (path: string, init: RequestInit = {}, withHook = true) =>
    handleRunsRequest(new Request(`http://test${path}`, init), {
      host,
      authorize: (request) => request.headers.get('authorization') === 'Bearer ui-token',
      ...(withHook ? { uiStream: uiStreamRoute() } : {}),
    });
  const auth = { headers: { authorization: 'Bearer ui-token' } };
  expect((await serve('/runs/any/ui-stream')).status).toBe(401);
  const missing = await serve(`/runs/nope_${unique()}/ui-stream`, auth);
  expect(missing.status).toBe(404);
  expect(await missing.json()).toMatchObject({ error: { code: 'run-not-found' } });
  expect((await serve('/runs/any/ui-stream', auth, false)).status).toBe(404);
  expect((await serve('/runs/any/ui-stream', { ...auth, method: 'POST' })).status).toBe(405);
});
