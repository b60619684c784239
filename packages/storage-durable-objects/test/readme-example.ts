/**
 * The Durable Object of the package README, verbatim apart from the Env type: the test project
 * binds it and runs it, so the README's example is known to compile and work.
 */
import { DurableObject } from 'cloudflare:workers';
import { createRuntime, type DurableStore, defineWorkflow, type Runtime } from '@cairn/core';
import {
  createDurableObjectStore,
  type DurableStoreEndpoint,
  migrateDurableObjectStore,
  type RemoteStoreMethod,
  serveStoreCall,
} from '../src/index.ts';

const greet = defineWorkflow('greet', async (ctx, name: string) => {
  return ctx.step('compose', async () => `Hello, ${name}!`);
});

export class Agents extends DurableObject implements DurableStoreEndpoint {
  store: DurableStore;
  runtime: Runtime;

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    // Schema first, before any request is delivered (the store would also migrate on creation).
    void ctx.blockConcurrencyWhile(async () => {
      migrateDurableObjectStore(ctx.storage);
    });
    this.store = createDurableObjectStore(ctx.storage);
    this.runtime = createRuntime({ store: this.store, workflows: [greet] });
  }

  /** RPC: start a run and wait for its result. */
  async greet(name: string): Promise<string> {
    const run = await this.runtime.start(greet, name);
    return run.result();
  }

  /** RPC: lets Workers read and manage these runs with `createDurableObjectStoreClient`. */
  cairnStoreCall(method: RemoteStoreMethod, args: unknown[]) {
    return serveStoreCall(this.store, method, args);
  }
}
