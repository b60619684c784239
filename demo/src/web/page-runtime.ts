/**
 * The runtime the Inspector acts through. The page has one agent (and so one runtime) per model, and
 * a run resumes only under the runtime that holds its workflow: approve, retry, fork and cancel go to
 * the agent of the run's workflow, so an approval decided in the Inspector continues the run in this
 * tab. Everything else (list, history, stats, delete) reads the shared store through `runtime`.
 */
import type { Agent, Runtime } from '@cairn/core';

/** What `createPageRuntime` needs. */
export interface PageRuntimeOptions {
  /** The page's default runtime (the scripted agent's). */
  runtime: Runtime;
  /** The agent that drives runs of `workflow` in this tab, or `null` (OpenAI without its key). */
  agentFor(workflow: string): Agent<string> | null;
  /** Called before a decision is sent, so the page can measure the resume it causes. */
  beforeApprove(runId: string): Promise<void>;
  /** Called when the decision was not recorded. */
  approveFailed(runId: string): void;
}

/** A runtime that sends each run's actions to the agent of its workflow. */
export function createPageRuntime(options: PageRuntimeOptions): Runtime {
  const { runtime } = options;
  async function driverOf(runId: string, action: string): Promise<Runtime> {
    const info = await runtime.get(runId);
    const agent = options.agentFor(info.workflow);
    if (agent) return agent.runtime;
    if (action === 'cancel' || action === 'approve') return runtime;
    throw new Error(`This run uses OpenAI: type the key again (it was kept in memory only), then ${action} it.`);
  }
  return {
    ...runtime,
    async approve(runId, approvalId, decision) {
      const driver = await driverOf(runId, 'approve');
      await options.beforeApprove(runId);
      try {
        await driver.approve(runId, approvalId, decision);
      } catch (error) {
        options.approveFailed(runId);
        throw error;
      }
    },
    retry: async (runId, retryOptions) => (await driverOf(runId, 'retry')).retry(runId, retryOptions),
    fork: async (runId, forkOptions) => (await driverOf(runId, 'fork')).fork(runId, forkOptions),
    cancel: async (runId, cancelOptions) => (await driverOf(runId, 'cancel')).cancel(runId, cancelOptions),
  };
}
