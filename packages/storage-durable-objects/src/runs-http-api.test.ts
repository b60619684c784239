/** The HTTP layer with one object per run: the id is minted before routing, every route reaches the run's object. */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { RunHostApi } from './host-api.ts';
import { createRunHostClient } from './host-client.ts';
import { runObject } from './routing.ts';
import { handleRunsRequest } from './runs-http-api.ts';

it('routes every request of a run to that run own object, minting the id of a new run first', async () => {
  const routed: Array<string | null> = [];
  const serve = (method: string, path: string, body?: unknown) =>
    handleRunsRequest(
      new Request(`http://test${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }),
      {
        basePath: '/api/runs/',
        host: (runId) => {
          routed.push(runId);
          if (runId === null) throw new Error('listing needs an index of your own');
          return createRunHostClient(runObject(env.HOST_OBJECT, runId));
        },
      },
    );
  const started = await serve('POST', '/api/runs', { workflow: 'greeter' });
  expect(started.status).toBe(201);
  const { runId } = (await started.json()) as { runId: string };
  expect(runId).toMatch(/^run_/);
  expect(routed).toEqual([runId]);
  const signalled = await serve('POST', `/api/runs/${runId}/signal`, { name: 'name', payload: 'Ada' });
  expect(signalled.status).toBe(200);
  // Bounded, and well inside the test's own timeout below: a loaded machine is slow, never wrong.
  const deadline = Date.now() + 15_000;
  let info = (await (await serve('GET', `/api/runs/${runId}`)).json()) as { status: string; output?: unknown };
  while (info.status !== 'completed' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    info = (await (await serve('GET', `/api/runs/${runId}`)).json()) as typeof info;
  }
  expect(info).toMatchObject({ status: 'completed', output: 'Hello, Ada!' });
  expect(new Set(routed)).toEqual(new Set([runId]));
  // The run's own object holds it and nothing else.
  expect((await createRunHostClient(runObject(env.HOST_OBJECT, runId)).list()).runs.map((run) => run.runId)).toEqual([runId]);
  const listing = await serve('GET', '/api/runs');
  expect(listing.status).toBe(500);
  expect((await serve('GET', '/runs')).status).toBe(404);
}, 30_000);

/** A body of `total` bytes in 16 KiB chunks, pulled on demand, recording what the server took. */
function producer(total: number) {
  const seen = { pulled: 0, cancelled: false };
  const chunk = new TextEncoder().encode(`{"workflow":"greeter","input":"${'x'.repeat(16 * 1024)}`).slice(0, 16 * 1024);
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (seen.pulled >= total) return controller.close();
        seen.pulled += chunk.byteLength;
        controller.enqueue(chunk.slice());
      },
      cancel() {
        seen.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { body, seen };
}

describe('request bodies over maxBodyBytes', () => {
  const unreachable = () => {
    throw new Error('the host must not be reached');
  };

  it('answers 413 to a chunked body, reading no further than the limit and cancelling the stream', async () => {
    const { body, seen } = producer(5 * 1024 * 1024);
    const request = new Request('http://test/runs', { method: 'POST', body });
    expect(request.headers.get('content-length')).toBeNull();
    const response = await handleRunsRequest(request, { host: unreachable, maxBodyBytes: 1024 });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      error: { code: 'payload-too-large', message: '[@cairn/storage-durable-objects] request body exceeds 1024 bytes' },
    });
    // One 16 KiB chunk crosses the 1 KiB limit; a server that buffers pulls all 5 MiB.
    expect(seen.pulled).toBeLessThanOrEqual(32 * 1024);
    expect(seen.cancelled).toBe(true);
  });

  it('answers 413 from a declared content-length before reading any of the body', async () => {
    const { body, seen } = producer(5 * 1024 * 1024);
    const request = new Request('http://test/runs', {
      method: 'POST',
      body,
      headers: { 'content-length': String(5 * 1024 * 1024) },
    });
    const response = await handleRunsRequest(request, { host: unreachable, maxBodyBytes: 1024 });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('payload-too-large');
    expect(seen.pulled).toBe(0);
  });

  it('still reads a body within the limit, split across chunks (and counts bytes, not characters)', async () => {
    const encoder = new TextEncoder();
    const text = JSON.stringify({ workflow: 'greeter', runId: 'run_chunked_body', input: 'é'.repeat(300) });
    const bytes = encoder.encode(text);
    const started: string[] = [];
    const host = (): RunHostApi =>
      ({
        start: async (workflow: string, input: unknown, options: { runId: string }) => {
          started.push(`${workflow}:${options.runId}:${String(input).length}`);
          return { runId: options.runId };
        },
      }) as unknown as RunHostApi;
    const chunked = (data: Uint8Array) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < data.byteLength; i += 100) controller.enqueue(data.slice(i, i + 100));
          controller.close();
        },
      });
    const ok = await handleRunsRequest(new Request('http://test/runs', { method: 'POST', body: chunked(bytes) }), {
      host,
      maxBodyBytes: bytes.byteLength,
    });
    expect(ok.status).toBe(201);
    expect(started).toEqual(['greeter:run_chunked_body:300']);
    // 300 'é' are 300 characters but 600 bytes: one byte less than the body is over the limit.
    const over = await handleRunsRequest(new Request('http://test/runs', { method: 'POST', body: chunked(bytes) }), {
      host,
      maxBodyBytes: bytes.byteLength - 1,
    });
    expect(over.status).toBe(413);
  });
});
