/**
 * The demo Worker: the runs API over HTTP, behind a bearer token, in front of one run host object
 * per tenant (here a single tenant, `default`; derive it from your own auth in a real app), and
 * each agent run as an AI SDK UI message stream (`GET /runs/:id/ui-stream`, what `useChat` reads).
 *
 *   curl -H "Authorization: Bearer $CAIRN_TOKEN" http://127.0.0.1:8787/runs
 *   curl -N -H "Authorization: Bearer $CAIRN_TOKEN" http://127.0.0.1:8787/runs/<id>/ui-stream
 */
import { uiStreamRoute } from '@cairn/ai-sdk/ui';
import { bearerAuth, createRunHostClient, handleRunsRequest, tenantObject } from '@cairn/storage-durable-objects';

export { Runs } from './runs-object.ts';

export default {
  fetch(request, env) {
    return handleRunsRequest(request, {
      host: createRunHostClient(tenantObject(env.RUNS, 'default')),
      authorize: bearerAuth(env.CAIRN_TOKEN),
      uiStream: uiStreamRoute(),
    });
  },
} satisfies ExportedHandler<Env>;
