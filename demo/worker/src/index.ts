/**
 * The demo Worker: the runs API over HTTP, behind a bearer token, in front of one run host object
 * per tenant (here a single tenant, `default`; derive it from your own auth in a real app).
 *
 *   curl -H "Authorization: Bearer $CAIRN_TOKEN" http://127.0.0.1:8787/runs
 */
import { bearerAuth, createRunHostClient, handleRunsRequest, tenantObject } from '@cairn/storage-durable-objects';

export { Runs } from './runs-object.ts';

export default {
  fetch(request, env) {
    return handleRunsRequest(request, {
      host: createRunHostClient(tenantObject(env.RUNS, 'default')),
      authorize: bearerAuth(env.CAIRN_TOKEN),
    });
  },
} satisfies ExportedHandler<Env>;
