/** The harnesses themselves: a peer reaches the same object, a reopen really restarts it. */

import { listDurableObjectIds, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { newRunFixture } from '@cairn/core/testing';
import { describe, expect, it } from 'vitest';
import { inObjectHarness, rpcHarness } from './harnesses.ts';
import type { StoreObject } from './test-worker.ts';

async function instanceOf(runId: string): Promise<string> {
  // Each harness store lives in its own object; find it by the run it holds.
  for (const id of await listDurableObjectIds(env.STORE_OBJECT)) {
    const found = await runInDurableObject(env.STORE_OBJECT.get(id), async (instance: StoreObject) =>
      (await instance.store.getRun(runId)) ? instance.instanceId : undefined,
    );
    if (found) return found;
  }
  throw new Error(`no object holds ${runId}`);
}

describe.each([rpcHarness, inObjectHarness])('$name harness', (harness) => {
  it('create gives an empty object; peer reaches the same instance; reopen restarts it and keeps the data', async () => {
    const runId = `run-${harness.name.length}-${crypto.randomUUID().slice(0, 8)}`;
    const store = await harness.create();
    expect((await store.stats()).total).toBe(0);
    await store.createRun(newRunFixture(runId));
    const peer = await harness.peer!(store);
    expect((await peer.getRun(runId))?.runId).toBe(runId);
    const before = await instanceOf(runId);
    const reopened = await harness.reopen!(store);
    expect((await reopened.getRun(runId))?.runId).toBe(runId);
    expect(await instanceOf(runId)).not.toBe(before);
    await expect(store.getRun(runId)).rejects.toMatchObject({ code: 'storage-unavailable' });
  });
});
