/**
 * A `DurableStore` over Workers RPC to a Durable Object that owns the real store: the way a Worker
 * (or a test) reads and writes runs kept in a Durable Object. Each call is one RPC round trip; the
 * Durable Object executes it atomically. Errors come back as the same Cairn error classes.
 */
import type { DurableStore, SerializedError } from '@cairn/core';
import { deserializeError, StorageUnavailableError } from '@cairn/core';
import { DEFAULT_MAX_PAYLOAD_BYTES } from './limits.ts';
import { ADAPTER } from './schema.ts';
import { toStoreError } from './storage-errors.ts';
import type { DurableStoreEndpoint, RemoteStoreMethod } from './store-endpoint.ts';

/** Options of `createDurableObjectStoreClient`. */
export interface CreateDurableObjectStoreClientOptions {
  /** The `maxPayloadBytes` the remote store was created with (default 16 MiB); the remote enforces it. */
  maxPayloadBytes?: number;
}

/** Rebuild an error serialized by `serveStoreCall`, with its class (core's one registry), code and `retryable`. */
export function rebuildStoreError(data: SerializedError): Error {
  return deserializeError(data);
}

/**
 * A store client over an RPC stub of a Durable Object implementing `DurableStoreEndpoint`.
 * A failed round trip (object reset or overloaded, message too large) is a `StorageUnavailableError`;
 * after one, a mutation may or may not have been applied: the CAS tokens tell on the next call.
 *
 * @example
 * const store = createDurableObjectStoreClient(env.AGENTS.getByName('tenant-42'));
 * const { runs } = await store.listRuns({ status: ['paused'] });
 */
export function createDurableObjectStoreClient(
  endpoint: DurableStoreEndpoint,
  options: CreateDurableObjectStoreClientOptions = {},
): DurableStore {
  let closed = false;

  async function call<T>(method: RemoteStoreMethod, args: unknown[]): Promise<T> {
    const runId = typeof args[0] === 'string' ? args[0] : undefined;
    if (closed) throw new StorageUnavailableError(`[${ADAPTER}] store client is closed`);
    let result: Awaited<ReturnType<DurableStoreEndpoint['cairnStoreCall']>>;
    try {
      result = await endpoint.cairnStoreCall(method, args);
    } catch (error) {
      throw toStoreError(error, method, runId);
    }
    if (!result.ok) throw rebuildStoreError(result.error);
    return result.value as T;
  }

  return {
    name: 'durable-objects',
    limits: { maxPayloadBytes: options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES },
    createRun: (run) => call('createRun', [run]),
    getRun: (runId) => call('getRun', [runId]),
    updateRun: (runId, expectedVersion, patch) => call('updateRun', [runId, expectedVersion, patch]),
    append: (runId, expectedLastSeq, entries, patch) => call('append', [runId, expectedLastSeq, entries, patch]),
    readEntries: (runId, readOptions) => call('readEntries', [runId, readOptions]),
    listRuns: (query) => call('listRuns', [query]),
    deleteRuns: (query) => call('deleteRuns', [query]),
    stats: () => call('stats', []),
    async close() {
      closed = true;
    },
  };
}
