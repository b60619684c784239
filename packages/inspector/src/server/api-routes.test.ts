// The JSON API over a real runtime and memory store: filters, search by id, validation of every
// action's body, and the refusal of actions that need workflow code when there is none.
import { createMemoryStore, createRuntime, defineWorkflow } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { createRuntimeBackend } from '../runtime-backend.ts';
import { handleApi } from './api-routes.ts';

const waits = defineWorkflow('waits', async (ctx) => {
  await ctx.step('first', async () => 1);
  return ctx.waitForApproval('go', { details: { what: 'ship' } });
});

async function setup(canDrive: boolean) {
  const store = createMemoryStore();
  const driver = createRuntime({ store, workflows: [waits] });
  await (await driver.start(waits, null, { runId: 'run_a', metadata: { team: 'red' } })).settled();
  await (await driver.start(waits, null, { runId: 'run_b' })).settled();
  const runtime = createRuntime({ store, workflows: canDrive ? [waits] : [] });
  const backend = createRuntimeBackend(runtime, { canDrive });
  const call = (method: string, path: string, body: Record<string, unknown> = {}) =>
    handleApi(backend, { method, url: new URL(`http://127.0.0.1${path}`), body: async () => body });
  return { call, runtime, driver };
}

describe('inspector API', () => {
  it('lists with filters, searches by id and answers a missing run with an empty page', async () => {
    const { call } = await setup(false);
    expect((await call('GET', '/api/runs')).body).toMatchObject({ runs: [{ runId: 'run_b' }, { runId: 'run_a' }] });
    expect((await call('GET', '/api/runs?metadata.team=red')).body).toMatchObject({ runs: [{ runId: 'run_a' }] });
    expect((await call('GET', '/api/runs?runId=run_a&status=paused')).body).toMatchObject({ runs: [{ runId: 'run_a' }] });
    expect((await call('GET', '/api/runs?runId=run_a&status=failed')).body).toEqual({ runs: [] });
    expect((await call('GET', '/api/runs?runId=nope')).body).toEqual({ runs: [] });
    expect((await call('GET', '/api/runs?runId=../etc')).body).toEqual({ runs: [] });
    expect((await call('GET', `/api/runs?createdAfter=${Date.now() + 60_000}`)).body).toEqual({ runs: [] });
    expect((await call('GET', '/api/stats')).body).toMatchObject({ total: 2, byStatus: { paused: 2 } });
  });

  it('refuses malformed queries and bodies with 400 naming the field, unknown routes with 404', async () => {
    const { call } = await setup(false);
    expect(await call('GET', '/api/runs?status=bogus')).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid-argument' } },
    });
    expect(await call('GET', '/api/runs?limit=100000')).toMatchObject({ status: 400 });
    expect(await call('POST', '/api/runs/run_a/approve', { approvalId: 'go#0', approved: 'yes', by: 'x' })).toMatchObject({
      status: 400,
      body: { error: { message: '"approved" must be true or false' } },
    });
    expect(
      await call('POST', '/api/runs/run_a/approve', { approvalId: 'go#0', approved: true, by: 'x'.repeat(201) }),
    ).toMatchObject({ status: 400 });
    expect(await call('POST', '/api/runs/run_a/fork', { atSeq: -1 })).toMatchObject({ status: 400 });
    expect(await call('POST', '/api/runs/run_a/explode')).toMatchObject({ status: 404 });
    expect(await call('GET', '/api/runs/nope')).toMatchObject({ status: 404, body: { error: { code: 'run-not-found' } } });
    expect(await call('GET', '/api/runs/%E0%A4%A')).toMatchObject({ status: 400 });
  });

  it('needs the workflow code for retry and fork (409), and approves with who and why', async () => {
    const { call, runtime } = await setup(false);
    expect(await call('POST', '/api/runs/run_a/fork', { atSeq: 1 })).toMatchObject({
      status: 409,
      body: { error: { code: 'needs-workflows' } },
    });
    expect(await call('POST', '/api/runs/run_a/retry', { by: 'me' })).toMatchObject({ status: 409 });
    expect(
      await call('POST', '/api/runs/run_a/approve', { approvalId: 'go#0', approved: true, by: 'Ada', reason: 'fine' }),
    ).toMatchObject({ status: 200 });
    const history = await runtime.history('run_a');
    expect(history.find((item) => item.kind === 'approval-decide')?.approval).toMatchObject({
      approved: true,
      by: 'Ada',
      reason: 'fine',
    });
  });

  it('with the workflow code, an approval continues the run and a fork makes a new one', async () => {
    const { call, runtime } = await setup(true);
    await call('POST', '/api/runs/run_a/approve', { approvalId: 'go#0', approved: true, by: 'Ada' });
    await expect.poll(async () => (await runtime.get('run_a')).status).toBe('completed');
    const fork = await call('POST', '/api/runs/run_a/fork', { atSeq: 2 });
    expect(fork.status).toBe(200);
    const forkId = (fork.body as { runId: string }).runId;
    expect((await runtime.get(forkId)).forkedFrom).toEqual({ runId: 'run_a', atSeq: 2 });
    await runtime.close();
  });
});
