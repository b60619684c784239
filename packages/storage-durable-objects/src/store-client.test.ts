/** The store over Workers RPC: errors keep their class across the boundary, transport failures map. */

import { env } from 'cloudflare:workers';
import {
  CairnError,
  InvalidRunIdError,
  RunExistsError,
  RunNotFoundError,
  StorageConflictError,
  StorageUnavailableError,
} from '@cairn/core';
import { entryFixture, newRunFixture } from '@cairn/core/testing';
import { describe, expect, it } from 'vitest';
import { createDurableObjectStoreClient, rebuildStoreError } from './store-client.ts';
import type { RemoteStoreMethod } from './store-endpoint.ts';

function freshClient() {
  const stub = env.STORE_OBJECT.get(env.STORE_OBJECT.newUniqueId());
  return { stub, store: createDurableObjectStoreClient(stub) };
}

describe('durable-objects store client (Workers RPC)', () => {
  it('rejects with the same error classes, codes and retryable flags as the store in the object', async () => {
    const { store } = freshClient();
    await store.createRun(newRunFixture('run-1'));
    const failures = await Promise.allSettled([
      store.createRun(newRunFixture('run-1')),
      store.append('run-1', 5, [entryFixture('a#0')]),
      store.updateRun('missing', 0, { updatedAt: 1 }),
      store.getRun('../etc'),
    ]);
    const reasons = failures.map((result) => (result.status === 'rejected' ? result.reason : undefined));
    expect(reasons[0]).toBeInstanceOf(RunExistsError);
    expect(reasons[1]).toBeInstanceOf(StorageConflictError);
    expect(reasons[2]).toBeInstanceOf(RunNotFoundError);
    expect(reasons[3]).toBeInstanceOf(InvalidRunIdError);
    for (const reason of reasons) {
      expect(CairnError.is(reason) && reason.retryable).toBe(false);
      expect((reason as Error).message).toMatch(/^\[@cairn\/storage-durable-objects\] /);
    }
  });

  it('an object reset in the middle of a call is a retryable StorageUnavailableError with the cause', async () => {
    const store = createDurableObjectStoreClient(env.RESETTING_OBJECT.get(env.RESETTING_OBJECT.newUniqueId()));
    const error: unknown = await store.append('run-1', 0, [entryFixture('a#0')]).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect((error as StorageUnavailableError).retryable).toBe(true);
    expect((error as Error).message).toContain('run "run-1": append failed');
    expect(((error as Error).cause as { durableObjectReset?: boolean }).durableObjectReset).toBe(true);
  });

  it('a call over the 32 MiB RPC message limit is a PayloadTooLargeError naming the run, and writes nothing', async () => {
    const { store } = freshClient();
    await store.createRun(newRunFixture('run-1'));
    const payload = 'x'.repeat(34_000_000);
    const error: unknown = await store
      .append('run-1', 0, [entryFixture('big#0', { payload })])
      .catch((reason: unknown) => reason);
    expect(CairnError.is(error, 'payload-too-large')).toBe(true);
    expect((error as Error).message).toContain('run "run-1"');
    expect((error as Error).message).not.toContain('xxxx');
    expect((await store.getRun('run-1'))?.lastSeq).toBe(0);
  });

  it('the object serves only store methods: close and unknown names are refused, the store keeps working', async () => {
    const { stub, store } = freshClient();
    for (const method of ['close', 'constructor', '__proto__', 'storeCall']) {
      const result = await stub.cairnStoreCall(method as RemoteStoreMethod, []);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(rebuildStoreError(result.error)).toMatchObject({ code: 'invalid-argument' });
    }
    await store.createRun(newRunFixture('run-1'));
    expect((await store.stats()).total).toBe(1);
  });

  it('rebuilds codes it has no class for as Cairn errors with that code', () => {
    const error = rebuildStoreError({ name: 'LeaseHeldError', message: '[x] held', code: 'lease-held', retryable: true });
    expect(CairnError.is(error, 'lease-held') && error.retryable).toBe(true);
    expect(error.name).toBe('LeaseHeldError');
  });
});
