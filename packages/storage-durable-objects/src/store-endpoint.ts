/**
 * The Durable Object side of a store reached over Workers RPC: one method that runs one store call
 * and returns its outcome as plain data. Errors travel as data because RPC keeps an error's message
 * but not its class, code or `retryable`; the client rebuilds them.
 */
import type { DurableStore, SerializedError } from '@cairn/core';
import { InvalidArgumentError, serializeError } from '@cairn/core';
import { ADAPTER } from './schema.ts';

/** Store methods a remote caller may invoke. `close` is not one: a client closes its own handle only. */
export const REMOTE_STORE_METHODS = [
  'createRun',
  'getRun',
  'updateRun',
  'append',
  'readEntries',
  'listRuns',
  'deleteRuns',
  'stats',
] as const;

/** A store method callable over RPC. */
export type RemoteStoreMethod = (typeof REMOTE_STORE_METHODS)[number];

/** The outcome of one remote store call. */
export type StoreCallResult = { ok: true; value: unknown } | { ok: false; error: SerializedError };

/**
 * What a Durable Object class exposes so that `createDurableObjectStoreClient` can use its store:
 * implement `cairnStoreCall` by delegating to `serveStoreCall`.
 */
export interface DurableStoreEndpoint {
  cairnStoreCall(method: RemoteStoreMethod, args: unknown[]): Promise<StoreCallResult>;
}

/**
 * Run one store call for a remote client.
 *
 * @example
 * export class Agents extends DurableObject implements DurableStoreEndpoint {
 *   cairnStoreCall(method: RemoteStoreMethod, args: unknown[]) {
 *     return serveStoreCall(this.store, method, args);
 *   }
 * }
 */
export async function serveStoreCall(store: DurableStore, method: RemoteStoreMethod, args: unknown[]): Promise<StoreCallResult> {
  try {
    if (!REMOTE_STORE_METHODS.includes(method) || !Array.isArray(args)) {
      throw new InvalidArgumentError(`[${ADAPTER}] ${JSON.stringify(String(method).slice(0, 40))} is not a remote store method`);
    }
    const invoke = store[method] as (...callArgs: unknown[]) => Promise<unknown>;
    return { ok: true, value: await invoke.apply(store, args) };
  } catch (error) {
    return { ok: false, error: serializeError(error) };
  }
}
