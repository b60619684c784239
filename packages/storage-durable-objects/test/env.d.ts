/** Bindings of the test Worker (wrangler.test.jsonc). */
declare namespace Cloudflare {
  interface Env {
    STORE_OBJECT: DurableObjectNamespace<import('./test-worker.ts').StoreObject>;
    BARE_OBJECT: DurableObjectNamespace<import('./test-worker.ts').BareObject>;
    RESETTING_OBJECT: DurableObjectNamespace<import('./test-worker.ts').ResettingObject>;
    AGENTS: DurableObjectNamespace<import('./readme-example.ts').Agents>;
    HOST_OBJECT: DurableObjectNamespace<import('./host-object.ts').HostObject>;
    RETAINING_HOST: DurableObjectNamespace<import('./host-object.ts').RetainingHostObject>;
    LEDGER: DurableObjectNamespace<import('./ledger-object.ts').LedgerObject>;
  }
}
