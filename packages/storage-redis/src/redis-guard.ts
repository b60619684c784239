/**
 * The per-call wrapper, in one place so the adapter kit of `@cairn/core/adapter` can replace it:
 * closed check, the persistence gate after a reconnect, argument checks, and error mapping.
 *
 * Invariants:
 * - after `close`, every call rejects with `StorageUnavailableError` and sends nothing;
 * - after the connection dropped, calls wait until the server is back and its persistence is
 *   checked again (at most RECONNECT_WAIT_MS, then they fail retryably), so a server restarted
 *   with weaker persistence never acknowledges a write;
 * - a call in flight when the connection drops fails at once, retryably: ioredis, told not to send
 *   it again, would otherwise leave it pending forever; whether it was applied is for the next
 *   compare-and-set to tell;
 * - every failure leaves as a Cairn error prefixed `[@cairn/storage-redis]`.
 */
import { StorageUnavailableError } from '@cairn/core';
import type { Redis } from 'ioredis';
import { ADAPTER, toStoreError } from './redis-errors.ts';
import { checkEntries, checkNewRun, checkPatch } from './redis-values.ts';

/** The value checks a call body may run (swapped for the kit's later). */
const CHECKS = { newRun: checkNewRun, patch: checkPatch, entries: checkEntries };

/** How long a call waits for a dropped connection to come back and be checked. */
export const RECONNECT_WAIT_MS = 10_000;

/** What the guard needs to know about the connection. */
export interface GuardOptions {
  client: Redis;
  /** The store opened the client and closes it. */
  owned: boolean;
  /** How messages name the store. */
  where: string;
  /** The persistence check to run again after a reconnect. */
  recheck(): Promise<void>;
}

/** The guard of one store. */
export function createGuard(options: GuardOptions) {
  const { client, where } = options;
  let closed = false;
  // Resolved while the connection is known good; pending between a drop and the check after it.
  let gate: Promise<void> = Promise.resolve();
  let reopened: (() => void) | undefined;
  const inFlight = new Set<(error: Error) => void>();

  const onClose = () => {
    for (const abort of inFlight)
      abort(
        new StorageUnavailableError(
          `[${ADAPTER}] ${where}: the connection dropped while the call was in flight (it may or may not have been applied)`,
          {
            retryable: true,
            adapter: ADAPTER,
          },
        ),
      );
    inFlight.clear();
    if (reopened || closed) return;
    gate = new Promise<void>((resolve, reject) => {
      reopened = () => options.recheck().then(resolve, reject);
    });
    gate.catch(() => undefined);
  };
  const onReady = () => {
    const run = reopened;
    reopened = undefined;
    run?.();
  };
  client.on('close', onClose);
  client.on('ready', onReady);

  async function passGate(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new StorageUnavailableError(`[${ADAPTER}] ${where}: the server has not come back for ${RECONNECT_WAIT_MS} ms`, {
              retryable: true,
            }),
          ),
        RECONNECT_WAIT_MS,
      );
    });
    try {
      await Promise.race([gate, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    /** Run a call body: closed check, persistence gate, then failures mapped to the contract's errors. */
    async call<T>(operation: string, runId: string | undefined, body: (checks: typeof CHECKS) => Promise<T>): Promise<T> {
      if (closed) throw new StorageUnavailableError(`[${ADAPTER}] ${where} is closed`, { adapter: ADAPTER });
      try {
        await passGate();
        let abort: ((error: Error) => void) | undefined;
        const dropped = new Promise<never>((_, reject) => {
          abort = reject;
        });
        if (abort) inFlight.add(abort);
        try {
          return await Promise.race([body(CHECKS), dropped]);
        } finally {
          if (abort) inFlight.delete(abort);
        }
      } catch (error) {
        throw toStoreError(error, operation, typeof runId === 'string' ? runId : undefined);
      }
    },
    /** Close once: stop listening, and quit the connection when the store opened it. */
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      client.off('close', onClose);
      client.off('ready', onReady);
      if (!options.owned) return;
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}
