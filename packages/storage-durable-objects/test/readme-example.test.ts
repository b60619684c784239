/** The README's example, run: a workflow inside a Durable Object, its runs read from a Worker. */
import { evictDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { createDurableObjectStoreClient } from '../src/index.ts';

it('runs the README workflow in the object and lists its run from outside, also after an eviction', async () => {
  const agents = env.AGENTS.getByName('tenant-42');
  expect(await agents.greet('Ada')).toBe('Hello, Ada!');
  await evictDurableObject(agents);
  const store = createDurableObjectStoreClient(env.AGENTS.getByName('tenant-42'));
  const { runs } = await store.listRuns({ status: ['completed'] });
  expect(runs.map((run) => [run.workflow, run.output])).toStrictEqual([['greet', '{"v":"Hello, Ada!"}']]);
  const entries = await store.readEntries(runs[0]!.runId);
  expect(entries.map((entry) => entry.kind)).toContain('step-end');
});
