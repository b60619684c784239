/**
 * Retention in a Durable Object run host: the object's own alarm deletes an ended run once its
 * retention has passed — with no request sent to the object — and never a run that has not ended.
 */
import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { createRunHostClient, tenantObject } from '../src/index.ts';
import { waitFor } from './wait-for.ts';

it('the alarm deletes a completed run 300 ms after it ended; a paused run past its expiresAt is kept', async () => {
  const runs = createRunHostClient(tenantObject(env.RETAINING_HOST, `tenant-${crypto.randomUUID().slice(0, 8)}`));
  const done = await runs.start('greeter', null, { runId: 'greet-done', metadata: { userId: 'u1' } });
  const waiting = await runs.start('greeter', null, { runId: 'greet-waiting', expiresAt: Date.now() - 1 });
  await waitFor(
    'both paused',
    () => runs.list({ status: ['paused'] }),
    (page) => page.runs.length === 2,
    { timeoutMs: 5000 },
  );
  await runs.signal(done.runId, 'name', 'Ada');
  await waitFor(
    'the run to complete',
    () => runs.get(done.runId),
    (run) => run.status === 'completed',
    { timeoutMs: 5000 },
  );
  const endedAt = Date.now();
  // Nothing but the alarm can delete it: the test only reads the stats.
  const stats = await waitFor(
    'the alarm to delete the completed run',
    () => runs.stats(),
    (s) => s.total === 1,
    { timeoutMs: 5000 },
  );
  expect(Date.now() - endedAt).toBeGreaterThanOrEqual(250);
  expect(stats).toMatchObject({ backend: 'durable-objects', total: 1, byStatus: { paused: 1 } });
  await expect(runs.get(done.runId)).rejects.toMatchObject({ code: 'run-not-found' });
  expect((await runs.get(waiting.runId)).status).toBe('paused');
});

it('a host without a retention option still deletes an ended run at its own expiresAt, by its alarm', async () => {
  const runs = createRunHostClient(tenantObject(env.HOST_OBJECT, `tenant-${crypto.randomUUID().slice(0, 8)}`));
  const run = await runs.start('greeter', null, { runId: 'greet-expiring', expiresAt: Date.now() + 300 });
  await waitFor(
    'paused',
    () => runs.get(run.runId),
    (info) => info.status === 'paused',
    { timeoutMs: 5000 },
  );
  await runs.signal(run.runId, 'name', 'Ada');
  await waitFor(
    'completed',
    () => runs.get(run.runId),
    (info) => info.status === 'completed',
    { timeoutMs: 5000 },
  );
  // Only the alarm deletes it: the test reads stats, which delete nothing.
  await waitFor(
    'the alarm to delete the expired run',
    () => runs.stats(),
    (s) => s.total === 0,
    { timeoutMs: 5000 },
  );
  await expect(runs.get(run.runId)).rejects.toMatchObject({ code: 'run-not-found' });
});
