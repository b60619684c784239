/** Bindings of the demo Worker (wrangler.jsonc; CAIRN_TOKEN from .dev.vars or `wrangler secret put`). */
interface Env {
  RUNS: DurableObjectNamespace<import('./runs-object.ts').Runs>;
  CAIRN_TOKEN?: string;
}
