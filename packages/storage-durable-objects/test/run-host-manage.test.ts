/**
 * Managing runs of a Durable Object run host over its HTTP API the way the seeds' users do: retry a
 * failed agent run in place, filter by metadata, stats, fork, delete, cleanup and retry-all.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createRunHostClient, handleRunsRequest, tenantObject } from '../src/index.ts';
import { refundRequest } from './host-fixtures.ts';
import { ledger } from './ledger-object.ts';
import { waitFor } from './wait-for.ts';

const unique = () => crypto.randomUUID().slice(0, 8);

function api(tenant: string) {
  const host = createRunHostClient(tenantObject(env.HOST_OBJECT, tenant));
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await handleRunsRequest(
      new Request(`http://test${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }),
      { host },
    );
    // biome-ignore lint/suspicious/noExplicitAny: JSON bodies are inspected freely
    return { status: response.status, body: (await response.json()) as any };
  };
  const settled = (runId: string, done: (status: string) => boolean) =>
    waitFor(
      `run ${runId} to settle`,
      () => call('GET', `/runs/${runId}`),
      (r) => done(r.body.status),
      { timeoutMs: 8000 },
    );
  return { host, call, settled };
}

describe('run host management over HTTP', () => {
  it('retries a failed agent run in place: same run id, completed model call and tool replayed, the failed call made again', async () => {
    const { call, settled } = api(`tenant-${unique()}`);
    const runId = `retry_${unique()}`;
    await ledger(runId).setFlag('fail:model:1');
    const started = await call('POST', '/runs', {
      workflow: 'refund-agent',
      input: refundRequest(runId),
      runId,
      metadata: { userId: 'u1', sessionId: 'session_1' },
    });
    expect(started.status).toBe(201);
    const failed = await settled(runId, (s) => s === 'failed');
    expect(failed.body.error).toMatchObject({ message: expect.stringContaining('503') });
    expect(await ledger(runId).count('model:0')).toBe(1);
    expect(await ledger(runId).count('tool:lookup_order:end')).toBe(1);
    // The endpoint is fixed; the run continues where it failed.
    await ledger(runId).clearFlag('fail:model:1');
    const retried = await call('POST', `/runs/${runId}/retry`, { by: 'ops@example.com', reason: 'endpoint fixed' });
    expect(retried.status).toBe(200);
    expect(retried.body.runId).toBe(runId);
    const done = await settled(runId, (s) => s === 'completed' || s === 'failed');
    expect(done.body).toMatchObject({ status: 'completed', output: 'Refunded 42.5 EUR for order A-1 (refund rf_A-1).' });
    expect(done.body.metadata).toEqual({ userId: 'u1', sessionId: 'session_1' });
    expect(await ledger(runId).count('model:0'), 'completed model call replayed').toBe(1);
    expect(await ledger(runId).count('tool:lookup_order:end'), 'completed tool replayed').toBe(1);
    expect(await ledger(runId).count('model:1'), 'the failed call made again').toBe(2);
    expect(await ledger(runId).count('tool:issue_refund:end')).toBe(1);
    const history = await call('GET', `/runs/${runId}/history`);
    const retries = history.body.items.filter((item: { kind: string }) => item.kind === 'run-retry');
    expect(retries).toEqual([expect.objectContaining({ retry: expect.objectContaining({ by: 'ops@example.com', attempt: 2 }) })]);
    // A completed run is refused, naming it.
    const again = await call('POST', `/runs/${runId}/retry`, {});
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect(again.body.error).toMatchObject({ code: 'run-not-retryable' });
    expect(again.body.error.message).toContain(runId);
  });

  it('stats with the backend, metadata filters, fork, delete, cleanup and retry-all; bad requests get clear errors', async () => {
    const { call, settled } = api(`tenant-${unique()}`);
    const ids: string[] = [];
    for (const [i, userId] of ['u1', 'u2', 'u1'].entries()) {
      const runId = `m${i}_${unique()}`;
      ids.push(runId);
      await call('POST', '/runs', { workflow: 'refund-agent', input: refundRequest(runId), runId, metadata: { userId } });
      await settled(runId, (s) => s === 'completed');
    }
    const stats = await call('GET', '/runs:stats');
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({ backend: 'durable-objects', total: 3, byStatus: { completed: 3 } });
    const u1 = await call('GET', '/runs?metadata.userId=u1');
    expect(u1.body.runs.map((run: { runId: string }) => run.runId).sort()).toEqual([ids[0], ids[2]].sort());
    const bad = await call('GET', '/runs?metadata.bad%20key=x');
    expect(bad.status).toBe(400);
    const history = await call('GET', `/runs/${ids[0]}/history`);
    const afterLookup =
      history.body.items.find((item: { key: string }) => item.key.startsWith('tool:lookup_order')) ?? history.body.items[3];
    const fork = await call('POST', `/runs/${ids[0]}/fork`, { atSeq: afterLookup.seq, runId: `fork_${unique()}` });
    expect(fork.status).toBe(201);
    expect(fork.body.forkedFrom).toEqual({ runId: ids[0], atSeq: afterLookup.seq });
    expect(fork.body.metadata).toEqual({ userId: 'u1' });
    await settled(fork.body.runId, (s) => s !== 'running');
    const deleted = await call('DELETE', `/runs/${ids[1]}`);
    expect(deleted.body).toEqual({ runId: ids[1], deleted: true });
    expect((await call('GET', `/runs/${ids[1]}`)).status).toBe(404);
    const none = await call('POST', '/runs:retry-all', { by: 'nightly' });
    expect(none.body).toEqual({ retried: [], failed: [] });
    const cleaned = await call('POST', '/runs:cleanup', { olderThanMs: 0 });
    expect(cleaned.body.deleted).toBe(3);
    expect((await call('GET', '/runs:stats')).body.total).toBe(0);
    expect((await call('POST', '/runs:cleanup', { status: ['nope'] })).status).toBe(400);
    expect((await call('POST', '/runs:bogus', {})).status).toBe(404);
    expect((await call('POST', '/runs:stats', {})).status).toBe(405);
    expect((await call('POST', `/runs/${ids[0]}/fork`, {})).status).toBe(400);
    expect((await call('PUT', `/runs/${ids[0]}`, {})).status).toBe(405);
  });
});
