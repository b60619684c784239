/**
 * How tests reach a store that lives in a Durable Object. Two harnesses over the same test class:
 * - `rpc`: the test holds `createDurableObjectStoreClient(stub)`; every call is a Workers RPC round
 *   trip to the object, which runs it on its own store (what a Worker in production does);
 * - `in object`: every call runs inside the object with `runInDurableObject`, on the object's store,
 *   without RPC serialization (what the run host inside the object does).
 * Both: `create` is a new unique object (new, empty storage); `peer` is a second stub on the same
 * id; `reopen` closes the handle, evicts the object (its instance and in-memory state are torn down,
 * its storage is kept) and opens a handle on a fresh stub, so the constructor migrates again.
 */

import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { DurableStore } from '@cairn/core';
import { StorageUnavailableError } from '@cairn/core';
import { defineStoreHarness, type StoreHarness } from '@cairn/core/testing';
import { createDurableObjectStoreClient, DEFAULT_MAX_PAYLOAD_BYTES } from '../src/index.ts';
import type { StoreObject } from './test-worker.ts';

type StoreMethod = Exclude<keyof DurableStore, 'name' | 'limits' | 'close'>;

/** A handle that runs each store call inside the object, on the object's own store. */
export function createInObjectHandle(stub: DurableObjectStub<StoreObject>): DurableStore {
  let closed = false;
  const call =
    (method: StoreMethod) =>
    async (...args: unknown[]): Promise<never> => {
      if (closed) throw new StorageUnavailableError('[@cairn/storage-durable-objects test] handle is closed');
      return runInDurableObject(stub, (instance: StoreObject) =>
        (instance.store[method] as (...callArgs: unknown[]) => Promise<never>)(...args),
      );
    };
  return {
    name: 'durable-objects',
    limits: { maxPayloadBytes: DEFAULT_MAX_PAYLOAD_BYTES },
    createRun: call('createRun'),
    getRun: call('getRun'),
    updateRun: call('updateRun'),
    append: call('append'),
    readEntries: call('readEntries'),
    listRuns: call('listRuns'),
    deleteRuns: call('deleteRuns'),
    stats: call('stats'),
    async close() {
      closed = true;
    },
  };
}

type HandleFactory = (stub: DurableObjectStub<StoreObject>) => DurableStore;

/** A harness whose handles `open` makes from a stub. */
export function objectHarness(name: string, open: HandleFactory): StoreHarness {
  return defineStoreHarness({
    name,
    create: () => env.STORE_OBJECT.newUniqueId(),
    open: (id: DurableObjectId) => open(env.STORE_OBJECT.get(id)),
    async afterClose(id) {
      const stub = env.STORE_OBJECT.get(id);
      // Eviction needs a running object; an idle one may already have been evicted by workerd.
      await runInDurableObject(stub, () => undefined);
      await evictDurableObject(stub);
    },
  });
}

/** Stores reached over Workers RPC. */
export const rpcHarness = objectHarness('durable-objects (rpc)', (stub) => createDurableObjectStoreClient(stub));

/** Stores reached inside the object. */
export const inObjectHarness = objectHarness('durable-objects (in object)', createInObjectHandle);
