/**
 * The demo Worker (demo/worker) over HTTP, as curl sees it: the bearer token gate, then every route
 * of the runs API on the agent (approval) and on the workflow (durable sleep, approval, cancel).
 */
import { exports } from 'cloudflare:workers';
import { DefaultChatTransport, readUIMessageStream, type UIMessage } from 'ai';
import { beforeAll, describe, expect, it } from 'vitest';

const worker = (exports as unknown as { default: Fetcher }).default;
const TOKEN = 'test-token';

interface Reply {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; message: string } };
  headers: Headers;
}

async function call(method: string, path: string, body?: unknown, token: string | null = TOKEN): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const response = await worker.fetch(`http://demo.test${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Reply['body'], headers: response.headers };
}

async function until(runId: string, done: (run: Record<string, unknown>) => boolean, timeoutMs = 8000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await call('GET', `/runs/${runId}`);
    if (done(body)) return body;
    if (Date.now() > deadline) throw new Error(`run ${runId} did not get there in ${timeoutMs} ms: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('demo Worker', () => {
  // The first request loads the Worker's modules (several seconds here); keep it out of the tests' time.
  beforeAll(async () => {
    await worker.fetch('http://demo.test/');
  }, 60_000);

  it('refuses requests without the right bearer token, before touching any run', async () => {
    for (const token of [null, 'wrong-token', '']) {
      const reply = await call('GET', '/runs', undefined, token);
      expect(reply.status).toBe(401);
      expect(reply.body.error?.code).toBe('unauthorized');
      expect(reply.headers.get('www-authenticate')).toContain('Bearer');
    }
    const refused = await call('POST', '/runs', { workflow: 'support', input: 'Refund A-1' }, 'nope');
    expect(refused.status).toBe(401);
    expect((await call('GET', '/runs')).body.runs).toEqual([]);
  });

  it('runs the agent: start, get, pause for approval, approve, history, list', async () => {
    const started = await call('POST', '/runs', { workflow: 'support', input: 'My order A-1 arrived broken.' });
    expect(started.status).toBe(201);
    const runId = started.body.runId as string;
    expect(started.headers.get('location')).toBe(`/runs/${runId}`);
    const paused = await until(runId, (run) => run.status !== 'running');
    expect(paused).toMatchObject({ status: 'paused', pauseReason: 'approval' });
    const [pending] = paused.pendingApprovals as Array<{ approvalId: string; details: unknown }>;
    expect(pending!.details).toMatchObject({ tool: 'issue_refund', arguments: { orderId: 'A-1', amount: 42.5 } });

    const listed = await call('GET', '/runs?status=paused&workflow=support');
    expect((listed.body.runs as Array<{ runId: string }>).map((run) => run.runId)).toContain(runId);
    const approved = await call('POST', `/runs/${runId}/approve`, { approvalId: pending!.approvalId, approved: true, by: 'ada' });
    expect(approved.status).toBe(200);
    const done = await until(runId, (run) => run.status === 'completed');
    expect(done.output).toBe('Done: refunded 42.5 EUR for order A-1 (refund rf_A-1).');
    const again = await call('POST', `/runs/${runId}/approve`, { approvalId: pending!.approvalId, approved: true, by: 'ada' });
    expect(again.status).toBe(400);
    expect(again.body.error?.message).toContain('is completed');
    const history = await call('GET', `/runs/${runId}/history`);
    const kinds = (history.body.items as Array<{ kind: string }>).map((item) => item.kind);
    expect(kinds[0]).toBe('run-start');
    expect(kinds).toContain('approval-decide');
    expect(kinds.at(-1)).toBe('run-end');
  });

  it('serves an agent run as the AI SDK UI message stream useChat reads, behind the same bearer token', async () => {
    const started = await call('POST', '/runs', { workflow: 'support', input: 'My order A-1 arrived broken.' });
    const runId = started.body.runId as string;
    const paused = await until(runId, (run) => run.status === 'paused');
    const [pending] = paused.pendingApprovals as Array<{ approvalId: string }>;
    await call('POST', `/runs/${runId}/approve`, { approvalId: pending!.approvalId, approved: true, by: 'ada' });
    await until(runId, (run) => run.status === 'completed');

    const unauthorized = await worker.fetch(`http://demo.test/runs/${runId}/ui-stream`);
    expect(unauthorized.status).toBe(401);
    await unauthorized.body?.cancel();

    // The AI SDK's own client, pointed at the demo Worker's route.
    const transport = new DefaultChatTransport({
      api: 'http://demo.test/chat',
      prepareReconnectToStreamRequest: ({ id }) => ({ api: `http://demo.test/runs/${encodeURIComponent(id)}/ui-stream` }),
      fetch: (input, init) => worker.fetch(input as string, init),
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const stream = await transport.reconnectToStream({ chatId: runId });
    if (!stream) throw new Error('no UI stream');
    let message: UIMessage | undefined;
    for await (const state of readUIMessageStream({ stream, terminateOnError: true })) message = state;
    expect(message).toMatchObject({ id: runId, role: 'assistant', metadata: { runId, status: 'completed' } });
    const parts = message!.parts.flatMap((part) =>
      'toolCallId' in part
        ? [`${part.type}:${(part as { state: string }).state}`]
        : part.type === 'text'
          ? [`text:${part.text}`]
          : [],
    );
    expect(parts).toEqual([
      'text:Let me look up order A-1.',
      'tool-lookup_order:output-available',
      'tool-issue_refund:output-available',
      'text:Done: refunded 42.5 EUR for order A-1 (refund rf_A-1).',
    ]);
    const refund = message!.parts.find((part) => part.type === 'tool-issue_refund') as { input: unknown; approval?: unknown };
    expect(refund.input).toEqual({ orderId: 'A-1', amount: 42.5 });
    expect(refund.approval).toMatchObject({ approved: true });
  });

  it('runs the workflow: a durable sleep woken by the alarm, an approval; signals and cancels', async () => {
    const started = await call('POST', '/runs', { workflow: 'follow-up', input: { customer: 'Ada', delayMs: 200 } });
    const runId = started.body.runId as string;
    const waiting = await until(runId, (run) => run.pauseReason === 'approval');
    const [pending] = waiting.pendingApprovals as Array<{ approvalId: string }>;
    await call('POST', `/runs/${runId}/approve`, { approvalId: pending!.approvalId, approved: true, by: 'bob' });
    const done = await until(runId, (run) => run.status === 'completed');
    expect(done.output).toMatchObject({ sent: true, draft: 'Hi Ada, how did the refund go?', approvedBy: 'bob' });

    const other = (await call('POST', '/runs', { workflow: 'follow-up', input: { customer: 'Bob', delayMs: 60_000 } })).body;
    await until(other.runId as string, (run) => run.pauseReason === 'sleep');
    const signalled = await call('POST', `/runs/${other.runId}/signal`, { name: 'nudge', payload: { n: 1 } });
    expect(signalled.status).toBe(200);
    const cancelled = await call('POST', `/runs/${other.runId}/cancel`, { reason: 'customer replied' });
    expect(cancelled.body).toMatchObject({ status: 'cancelled' });
  });

  it('answers bad requests with the right status and a Cairn error code', async () => {
    expect((await call('GET', '/runs/run_missing')).status).toBe(404);
    expect((await call('GET', '/runs/bad%20id')).body.error?.code).toBe('invalid-run-id');
    expect((await call('POST', '/runs', { workflow: 'nope' })).body.error?.code).toBe('workflow-not-found');
    expect((await call('POST', '/runs', '{not json')).status).toBe(400);
    expect((await call('POST', '/runs', { input: 1 })).status).toBe(400);
    expect((await call('GET', '/runs?status=sleeping')).status).toBe(400);
    expect((await call('POST', '/runs', { workflow: 'support', input: 'x'.repeat(2 * 1024 * 1024) })).status).toBe(413);
    expect((await call('PUT', '/runs/run_x')).status).toBe(405);
    expect((await call('DELETE', '/runs/run_x')).body).toEqual({ runId: 'run_x', deleted: false });
    expect((await call('GET', '/elsewhere')).status).toBe(404);
    const taken = (await call('POST', '/runs', { workflow: 'follow-up', input: { customer: 'C' }, runId: 'run_fixed_1' })).body;
    expect(taken.runId).toBe('run_fixed_1');
    expect((await call('POST', '/runs', { workflow: 'follow-up', input: { customer: 'C' }, runId: 'run_fixed_1' })).status).toBe(
      409,
    );
    await call('POST', '/runs/run_fixed_1/cancel');
  });
});
