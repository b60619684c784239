/**
 * The Worker of the Miniflare restart test, bundled by the test with esbuild: a run host object and
 * the runs API in front of it. Every step reports to `REPORT`, a function in the Node test process,
 * so the test observes the run without sending the object a request (and counts outlive workerd).
 */
import { DurableObject } from 'cloudflare:workers';
import { defineWorkflow } from '@cairn/core';
import {
  createRunHost,
  createRunHostClient,
  handleRunsRequest,
  type RunHostEndpoint,
  type RunHostMethod,
  tenantObject,
} from '../../src/index.ts';

/** Bindings of the restart Worker (set by the test's Miniflare options). */
export interface RestartEnv {
  RUNS: DurableObjectNamespace<RestartRuns>;
  REPORT: Fetcher;
}

/** Tell the test process that `event` happened; returns how many times it has now. */
async function report(env: RestartEnv, event: string): Promise<number> {
  const response = await env.REPORT.fetch(`http://report/${encodeURIComponent(event)}`);
  return ((await response.json()) as { count: number }).count;
}

/** Three counted steps and a durable sleep. Step `b` hangs on its first attempt (the test kills workerd there). */
function slowSteps(env: RestartEnv) {
  return defineWorkflow('slow-steps', async (ctx, _input: null) => {
    const a = await ctx.step('a', async () => {
      await report(env, 'a');
      return 1;
    });
    const b = await ctx.step('b', async () => {
      if ((await report(env, 'b:start')) === 1) await new Promise((resolve) => setTimeout(resolve, 30_000));
      await report(env, 'b:end');
      return 2;
    });
    await ctx.sleep(300);
    const c = await ctx.step('c', async () => {
      await report(env, 'c');
      return 3;
    });
    return a + b + c;
  });
}

export class RestartRuns extends DurableObject<RestartEnv> implements RunHostEndpoint {
  readonly host = createRunHost({
    ctx: this.ctx,
    workflows: [slowSteps(this.env)],
    leaseMs: 1000,
    onEvent: (event) => {
      if (event.type === 'run-resume') void report(this.env, `resume:${event.runId}`);
      if (event.type === 'run-end') void report(this.env, `end:${event.runId}:${event.status}`);
    },
  });

  cairnHostCall(method: RunHostMethod, args: unknown[]) {
    return this.host.serve(method, args);
  }

  override async alarm(): Promise<void> {
    await report(this.env, 'alarm');
    await this.host.alarm();
  }
}

export default {
  fetch: (request, env) => handleRunsRequest(request, { host: createRunHostClient(tenantObject(env.RUNS, 'restart')) }),
} satisfies ExportedHandler<RestartEnv>;
