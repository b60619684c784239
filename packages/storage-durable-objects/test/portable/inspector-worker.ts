/**
 * The Worker of the inspector test (`cairn ui --url`): a run host object with the refund flow, and the
 * runs API in front of it behind a bearer token (the `CAIRN_TOKEN` binding), as a user deploys it.
 */
import { DurableObject } from 'cloudflare:workers';
import {
  bearerAuth,
  createRunHost,
  createRunHostClient,
  handleRunsRequest,
  type RunHostEndpoint,
  type RunHostMethod,
  tenantObject,
} from '../../src/index.ts';
import { refundFlow } from './refund-flow.ts';

/** Bindings of the Worker (set by the test's Miniflare options). */
export interface InspectorEnv {
  RUNS: DurableObjectNamespace<InspectorRuns>;
  CAIRN_TOKEN: string;
}

export class InspectorRuns extends DurableObject<InspectorEnv> implements RunHostEndpoint {
  readonly host = createRunHost({ ctx: this.ctx, workflows: [refundFlow(() => undefined)], leaseMs: 1000 });

  cairnHostCall(method: RunHostMethod, args: unknown[]) {
    return this.host.serve(method, args);
  }

  override async alarm(): Promise<void> {
    await this.host.alarm();
  }
}

export default {
  fetch: (request, env) =>
    handleRunsRequest(request, {
      host: createRunHostClient(tenantObject(env.RUNS, 'inspector')),
      authorize: bearerAuth(env.CAIRN_TOKEN),
    }),
} satisfies ExportedHandler<InspectorEnv>;
