/**
 * The Worker of the portable-run test, bundled by the test with esbuild: a run host object with the
 * refund flow and the runs API in front of it. Steps report to `REPORT`, a function in the Node test
 * process, so executions in workerd are counted outside it.
 */
import { DurableObject } from 'cloudflare:workers';
import {
  createRunHost,
  createRunHostClient,
  handleRunsRequest,
  type RunHostEndpoint,
  type RunHostMethod,
  tenantObject,
} from '../../src/index.ts';
import { refundFlow } from './refund-flow.ts';

/** Bindings of the Worker (set by the test's Miniflare options). */
export interface PortableEnv {
  RUNS: DurableObjectNamespace<PortableRuns>;
  REPORT: Fetcher;
}

export class PortableRuns extends DurableObject<PortableEnv> implements RunHostEndpoint {
  readonly host = createRunHost({
    ctx: this.ctx,
    workflows: [refundFlow((step) => this.env.REPORT.fetch(`http://report/${encodeURIComponent(step)}`))],
    leaseMs: 1000,
  });

  cairnHostCall(method: RunHostMethod, args: unknown[]) {
    return this.host.serve(method, args);
  }

  override async alarm(): Promise<void> {
    await this.host.alarm();
  }
}

export default {
  fetch: (request, env) =>
    handleRunsRequest(request, { host: createRunHostClient(tenantObject(env.RUNS, 'portable')), events: { pollMs: 20 } }),
} satisfies ExportedHandler<PortableEnv>;
