/**
 * The test Worker of the workerd project: a SQLite-backed Durable Object that owns a Cairn store,
 * set up the way the README tells users to, and serves it over RPC.
 */

import { DurableObject } from 'cloudflare:workers';
import type { DurableStore } from '@cairn/core';
import type { DurableStoreEndpoint, RemoteStoreMethod, StoreCallResult } from '../src/index.ts';
import { createDurableObjectStore, migrateDurableObjectStore, serveStoreCall } from '../src/index.ts';

/** A Durable Object holding one store; tests reach it by RPC or with `runInDurableObject`. */
export class StoreObject extends DurableObject implements DurableStoreEndpoint {
  readonly store: DurableStore;
  /** New for every instance: tells a test whether the object was really restarted. */
  readonly instanceId = crypto.randomUUID();

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      migrateDurableObjectStore(ctx.storage);
    });
    this.store = createDurableObjectStore(ctx.storage);
  }

  cairnStoreCall(method: RemoteStoreMethod, args: unknown[]): Promise<StoreCallResult> {
    return serveStoreCall(this.store, method, args);
  }
}

/** A bare SQLite-backed object: tests bring their own store, prefix or schema through `runInDurableObject`. */
export class BareObject extends DurableObject {}

/** An object that resets itself on every store call, as an evicted or crashed object does mid-request. */
export class ResettingObject extends DurableObject implements DurableStoreEndpoint {
  async cairnStoreCall(): Promise<StoreCallResult> {
    this.ctx.abort('reset by the test');
    return { ok: true, value: null };
  }
}

export { HostObject, RetainingHostObject } from './host-object.ts';
export { LedgerObject } from './ledger-object.ts';
export { Agents } from './readme-example.ts';

export default {
  fetch(): Response {
    return new Response('cairn test worker');
  },
} satisfies ExportedHandler<Cloudflare.Env>;
