/** Bindings of the test Worker (wrangler.test.jsonc). */
declare namespace Cloudflare {
  interface Env {
    STORE_OBJECT: DurableObjectNamespace<import('./test-worker.ts').StoreObject>;
    BARE_OBJECT: DurableObjectNamespace<import('./test-worker.ts').BareObject>;
    RESETTING_OBJECT: DurableObjectNamespace<import('./test-worker.ts').ResettingObject>;
    AGENTS: DurableObjectNamespace<import('./readme-example.ts').Agents>;
  }
}
