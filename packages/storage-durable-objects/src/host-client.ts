/**
 * The Worker side of a run host: `RunHostApi` over an RPC stub. One round trip per call; errors come
 * back as the same Cairn classes with their `code` and `retryable`, so `CairnError.is(error,
 * 'run-not-found')` and `instanceof ApprovalNotFoundError` work in the Worker as in the object.
 */
import type { SerializedError } from '@cairn/core';
import { deserializeError, StorageUnavailableError } from '@cairn/core';
import type { HostCallResult, RunHostApi, RunHostEndpoint, RunHostMethod } from './host-api.ts';
import { ADAPTER } from './schema.ts';
import { toStoreError } from './storage-errors.ts';

/** Rebuild an error serialized by `serveHostCall`, with its class (when known), code and `retryable`. */
export function rebuildHostError(data: SerializedError): Error {
  return deserializeError(data);
}

/**
 * A `RunHostApi` over an RPC stub of a Durable Object implementing `RunHostEndpoint`. A failed round
 * trip (object reset or overloaded) is a retryable `StorageUnavailableError`; a `start` that failed
 * in transit may or may not have created the run: retry it with the same `runId` and a
 * `RunExistsError` tells it did.
 *
 * @example
 * const runs = createRunHostClient(tenantObject(env.RUNS, 'acme'));
 * const run = await runs.start('support', 'Where is order A-1?');
 * console.log((await runs.get(run.runId)).status);
 */
export function createRunHostClient(endpoint: RunHostEndpoint): RunHostApi {
  async function call<T>(method: RunHostMethod, args: unknown[]): Promise<T> {
    const runId =
      method !== 'start' && method !== 'retryAll' && method !== 'importRun' && typeof args[0] === 'string' ? args[0] : undefined;
    let result: HostCallResult;
    try {
      result = await endpoint.cairnHostCall(method, args);
    } catch (error) {
      throw toStoreError(error, `run host call "${method}"`, runId);
    }
    if (!result || typeof result !== 'object' || !('ok' in result)) {
      throw new StorageUnavailableError(
        `[${ADAPTER}] run host call "${method}" returned no result: is cairnHostCall wired to host.serve?`,
      );
    }
    if (!result.ok) throw rebuildHostError(result.error);
    return result.value as T;
  }
  return {
    start: (workflow, input, options) => call('start', options === undefined ? [workflow, input] : [workflow, input, options]),
    get: (runId) => call('get', [runId]),
    list: (query) => call('list', query === undefined ? [] : [query]),
    history: (runId, options) => call('history', options === undefined ? [runId] : [runId, options]),
    signal: async (runId, name, payload) => {
      await call('signal', [runId, name, payload]);
    },
    approve: async (runId, approvalId, decision) => {
      await call('approve', [runId, approvalId, decision]);
    },
    cancel: async (runId, options) => {
      await call('cancel', options === undefined ? [runId] : [runId, options]);
    },
    stats: () => call('stats', []),
    delete: (runId, options) => call('delete', options === undefined ? [runId] : [runId, options]),
    cleanup: (options) => call('cleanup', options === undefined ? [] : [options]),
    fork: (runId, options) => call('fork', [runId, options]),
    retry: (runId, options) => call('retry', options === undefined ? [runId] : [runId, options]),
    retryAll: (query) => call('retryAll', query === undefined ? [] : [query]),
    events: (runId, options) => call('events', options === undefined ? [runId] : [runId, options]),
    exportRun: (runId) => call('exportRun', [runId]),
    importRun: (document) => call('importRun', [document]),
  };
}
