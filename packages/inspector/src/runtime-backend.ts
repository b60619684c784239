/**
 * The inspector over a Cairn runtime (a store opened in this process, or IndexedDB in a page).
 * Actions go through the runtime API, as the CLI's commands do; the runs they start or continue are
 * driven by this runtime in the background, and the page follows them by polling.
 */
import type { Runtime } from '@cairn/core';
import { type InspectorBackend, NeedsWorkflowsError } from './backend.ts';
import { queryRuns } from './run-query.ts';

/** Options of `createRuntimeBackend`. */
export interface CreateRuntimeBackendOptions {
  /** Shown in the page's header; default: the store's backend name. */
  name?: string;
  /** The runtime has the runs' workflow code (retry, fork, approve-and-continue). */
  canDrive: boolean;
}

/** An `InspectorBackend` over `runtime`. */
export function createRuntimeBackend(runtime: Runtime, options: CreateRuntimeBackendOptions): InspectorBackend {
  const drive = (action: string) => {
    if (!options.canDrive) throw new NeedsWorkflowsError(action);
  };
  // Driving happens in the background; its outcome is in the store, where the page reads it.
  const background = (promise: Promise<unknown>) => promise.catch(() => undefined);
  return {
    name: options.name ?? runtime.store.name,
    canDrive: options.canDrive,
    list: (query) =>
      queryRuns(
        query,
        (page) => runtime.list(page),
        (runId) => runtime.get(runId),
      ),
    stats: () => runtime.stats(),
    async run(runId) {
      const [info, history] = await Promise.all([runtime.get(runId), runtime.history(runId)]);
      return { info, history };
    },
    approve: (runId, approvalId, decision) => runtime.approve(runId, approvalId, decision),
    async retry(runId, who) {
      drive('retry');
      const handle = await runtime.retry(runId, who);
      background(handle.settled());
    },
    async fork(runId, atSeq) {
      drive('fork');
      const handle = await runtime.fork(runId, { atSeq });
      background(handle.settled());
      return handle.runId;
    },
    cancel: (runId, reason) => runtime.cancel(runId, reason === undefined ? {} : { reason }),
    signal: (runId, name, payload) => runtime.signal(runId, name, payload),
    delete: (runId, force) => runtime.delete(runId, { force }),
  };
}
