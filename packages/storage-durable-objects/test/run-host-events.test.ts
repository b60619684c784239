/**
 * The run host's event stream and portable runs over the HTTP API, in workerd: a client reading
 * `GET /runs/:id/events` (Server-Sent Events) drops the connection mid-run, reconnects with
 * `Last-Event-ID`, and gets every event exactly once, in order, while the counting model (the
 * ledger) sees each model call once. Export/import between two objects over HTTP and RPC.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createRunHostClient, handleRunsRequest, tenantObject } from '../src/index.ts';
import { refundRequest } from './host-fixtures.ts';
import { ledger } from './ledger-object.ts';
import { waitFor } from './wait-for.ts';

const unique = () => crypto.randomUUID().slice(0, 8);

interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
}

/** Read SSE events from `response` until `stop(event)` or the end of the stream; cancels the rest. */
async function readSse(response: Response, stop: (event: SseEvent) => boolean = () => false): Promise<SseEvent[]> {
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = (response.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
  const events: SseEvent[] = [];
  let buffer = '';
  const deadline = Date.now() + 10_000;
  try {
    while (Date.now() < deadline) {
      const { done, value } = await reader.read();
      if (done) return events;
      buffer += value;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event: SseEvent = {};
        for (const line of block.split('\n')) {
          const colon = line.indexOf(':');
          if (colon <= 0) continue;
          const field = line.slice(0, colon);
          const text = line.slice(colon + 1).replace(/^ /, '');
          if (field === 'id' || field === 'event' || field === 'data') event[field] = text;
        }
        if (event.event === undefined && event.data === undefined) continue;
        events.push(event);
        if (stop(event)) return events;
      }
    }
    throw new Error(`SSE stream did not end in 10 s; got ${events.map((e) => e.event).join(',')}`);
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

describe('run host events over HTTP (SSE)', () => {
  it('a stream dropped mid-run and resumed with Last-Event-ID yields every event once, in order; no model call repeated', async () => {
    const runs = createRunHostClient(tenantObject(env.HOST_OBJECT, `events-${unique()}`));
    const serve = (path: string, init: RequestInit = {}) =>
      handleRunsRequest(new Request(`http://test${path}`, init), { host: runs, events: { pollMs: 20 } });
    const runId = `sse_${unique()}`;
    await runs.start('refund-agent-approval', refundRequest(runId), { runId });

    // First connection: from the start, dropped once the run asks for its approval.
    const first = await readSse(await serve(`/runs/${runId}/events`), (event) => event.event === 'approval-request');
    expect(first.at(-1)?.event).toBe('approval-request');
    const lastId = first.at(-1)?.id as string;
    await waitFor(
      'the run to pause',
      () => runs.get(runId),
      (run) => run.status === 'paused',
      { timeoutMs: 5000 },
    );
    const approvalId = (await runs.get(runId)).pendingApprovals?.[0]?.approvalId as string;
    const approved = await serve(`/runs/${runId}/approve`, {
      method: 'POST',
      body: JSON.stringify({ approvalId, approved: true, by: 'ada' }),
    });
    expect(approved.status).toBe(200);
    // Reconnect with the last id seen: the rest, then the stream ends after run-end.
    const second = await readSse(await serve(`/runs/${runId}/events`, { headers: { 'last-event-id': lastId } }));
    const ends = second.filter((event) => event.event === 'run-end');
    expect(ends).toHaveLength(1);
    expect(JSON.parse(ends[0]?.data as string)).toMatchObject({ status: 'completed', runId });

    const history = await runs.history(runId);
    const withEvents = history
      .filter((item) => item.kind !== 'lease-take' && item.kind !== 'sleep-start')
      .map((item) => String(item.seq));
    const ids = [...first, ...second].flatMap((event) => (event.id === undefined ? [] : [event.id]));
    expect(ids).toEqual(withEvents);
    for (const event of [...first, ...second]) {
      if (event.id === undefined) continue;
      expect(JSON.parse(event.data as string)).toMatchObject({ seq: Number(event.id), type: event.event });
    }
    // The counting model saw each of its three calls once.
    const calls = (await ledger(runId).entries()).filter((key) => key.startsWith('model:'));
    expect(calls).toEqual(['model:0', 'model:1', 'model:2']);

    // Reconnecting after the end gets nothing more and ends at once; ?fromSeq= works the same.
    expect(await readSse(await serve(`/runs/${runId}/events`, { headers: { 'last-event-id': ids.at(-1) as string } }))).toEqual(
      [],
    );
    const tail = await readSse(await serve(`/runs/${runId}/events?fromSeq=${ids.at(-1)}`));
    expect(tail.map((event) => event.event)).toEqual(['run-end']);
    expect((await ledger(runId).entries()).filter((key) => key.startsWith('model:'))).toHaveLength(3);

    const missing = await serve(`/runs/nope_${unique()}/events`);
    expect(missing.status).toBe(404);
    const bad = await serve(`/runs/${runId}/events`, { headers: { 'last-event-id': 'abc' } });
    expect(bad.status).toBe(400);
  });
  it('closes a stream after maxStreamMs with a retry hint; the reconnect with Last-Event-ID loses nothing', async () => {
    const runs = createRunHostClient(tenantObject(env.HOST_OBJECT, `events-${unique()}`));
    const serve = (path: string, init: RequestInit = {}) =>
      handleRunsRequest(new Request(`http://test${path}`, init), { host: runs, events: { pollMs: 20, maxStreamMs: 150 } });
    const runId = `short_${unique()}`;
    await runs.start('two-keys', null, { runId });
    await waitFor(
      'the run to pause',
      () => runs.get(runId),
      (run) => run.status === 'paused',
      { timeoutMs: 5000 },
    );
    const response = await serve(`/runs/${runId}/events`);
    const raw = await response.text();
    expect(raw.startsWith('retry: 1000\n\n')).toBe(true);
    const first = [...raw.matchAll(/^id: (\d+)$/gm)].map((match) => match[1]);
    expect(first.length).toBeGreaterThan(0);
    expect(raw).not.toContain('event: run-end');
    await runs.approve(runId, 'first#0', { approved: true, by: 'ada' });
    await waitFor(
      'the second approval',
      () => runs.get(runId),
      (run) => run.pendingApprovals?.[0]?.approvalId === 'second#0',
      {
        timeoutMs: 5000,
      },
    );
    await runs.approve(runId, 'second#0', { approved: true, by: 'bob' });
    const rest = await readSse(await serve(`/runs/${runId}/events`, { headers: { 'last-event-id': first.at(-1) as string } }));
    const history = await runs.history(runId);
    const expected = history
      .filter((item) => item.kind !== 'lease-take' && item.kind !== 'sleep-start')
      .map((item) => String(item.seq));
    expect([...first, ...rest.map((event) => event.id)]).toEqual(expected);
    expect(rest.at(-1)?.event).toBe('run-end');
  });
});

/** Two fresh tenant objects, and a refund run paused on its approval in the first. */
async function pausedInOneObject(prefix: string) {
  const from = createRunHostClient(tenantObject(env.HOST_OBJECT, `export-${unique()}`));
  const to = createRunHostClient(tenantObject(env.HOST_OBJECT, `import-${unique()}`));
  const runId = `${prefix}_${unique()}`;
  await from.start('refund-agent-approval', refundRequest(runId), { runId });
  await waitFor(
    'the run to pause',
    () => from.get(runId),
    (run) => run.status === 'paused',
    { timeoutMs: 5000 },
  );
  return { from, to, runId };
}

describe('portable runs over the run host', () => {
  it('exports a paused run from one object and imports it into another over HTTP, where it completes with its approval', async () => {
    const { from, to, runId } = await pausedInOneObject('move');
    const exported = await handleRunsRequest(new Request(`http://test/runs/${runId}/export`), { host: from });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toMatch(/^text\/plain/);
    const document = await exported.text();
    expect(document).toBe(await from.exportRun(runId));

    const serveTo = (path: string, init: RequestInit = {}) =>
      handleRunsRequest(new Request(`http://test${path}`, init), { host: to });
    const torn = await serveTo('/runs/import', { method: 'POST', body: document.slice(0, -20) });
    expect(torn.status).toBe(400);
    expect(((await torn.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'corrupt-journal',
      message: expect.stringContaining(`(run "${runId}")`),
    });
    const imported = await serveTo('/runs/import', { method: 'POST', body: document });
    expect(imported.status).toBe(201);
    expect(imported.headers.get('location')).toBe(`/runs/${runId}`);
    expect(await imported.json()).toMatchObject({ runId, status: 'paused', pauseReason: 'approval' });
    const again = await serveTo('/runs/import', { method: 'POST', body: document });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('run-exists');

    const info = await to.get(runId);
    await to.approve(runId, info.pendingApprovals?.[0]?.approvalId as string, { approved: true, by: 'ada' });
    const done = await waitFor(
      'the imported run to complete',
      () => to.get(runId),
      (run) => run.status === 'completed',
      {
        timeoutMs: 5000,
      },
    );
    expect(done.output).toMatch(/^Refunded 42.5 EUR for order A-1/);
    // Two model calls before the move, one after: none repeated.
    expect((await ledger(runId).entries()).filter((key) => key.startsWith('model:'))).toEqual(['model:0', 'model:1', 'model:2']);
    expect(await ledger(runId).count('tool:issue_refund:end')).toBe(1);
    await expect(to.importRun('{"format":"nope"}')).rejects.toMatchObject({ code: 'corrupt-journal' });
  });

  it('an imported run that is running without a lease is taken by the alarm of its new object', async () => {
    const { from, to, runId } = await pausedInOneObject('alarm');
    // As if exported from a process that died mid-run: running, its lease already dropped by export.
    const [head, ...rest] = (await from.exportRun(runId)).trimEnd().split('\n');
    const header = JSON.parse(head as string);
    header.run = { ...header.run, status: 'running', pauseReason: null, wakeAt: null };
    const imported = await to.importRun([JSON.stringify(header), ...rest].join('\n'));
    expect(imported).toMatchObject({ runId, status: 'running' });
    // Nobody sends the object a request: its alarm replays the run up to the pending approval.
    const paused = await waitFor(
      'the alarm to resume the run',
      () => to.get(runId),
      (run) => run.status === 'paused',
      {
        timeoutMs: 5000,
      },
    );
    expect(paused.pendingApprovals).toHaveLength(1);
    expect((await ledger(runId).entries()).filter((key) => key.startsWith('model:'))).toEqual(['model:0', 'model:1']);
  });
});
