/** The HTTP layer with one object per run: the id is minted before routing, every route reaches the run's object. */
import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
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
  const deadline = Date.now() + 5000;
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
});
