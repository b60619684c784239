/**
 * What a Redis store adds around each call besides the adapter kit's guard: the persistence gate
 * after a reconnect, and failing calls in flight when the connection drops.
 *
 * Invariants:
 * - after the connection dropped, calls wait until the server is back and its persistence is
 *   checked again (at most RECONNECT_WAIT_MS, then they fail retryably), so a server restarted
 *   with weaker persistence never acknowledges a write;
 * - a call in flight when the connection drops fails at once, retryably: ioredis, told not to send
 *   it again, would otherwise leave it pending forever; whether it was applied is for the next
 *   compare-and-set to tell;
 * - `close` stops listening and quits the connection when the store opened it.
 */
import { StorageUnavailableError } from '@cairn/core';
import type { Redis } from 'ioredis';
import { ADAPTER } from './redis-adapter.ts';

/** How long a call waits for a dropped connection to come back and be checked. */
export const RECONNECT_WAIT_MS = 10_000;

/** What the gate needs to know about the connection. */
export interface ReconnectGateOptions {
  client: Redis;
  /** The store opened the client and closes it. */
  owned: boolean;
  /** How messages name the store. */
  where: string;
  /** The persistence check to run again after a reconnect. */
  recheck(): Promise<void>;
}

/** The reconnect gate of one store. */
export interface ReconnectGate {
  /** Run `body` once the connection is known good; fail it retryably if the connection drops meanwhile. */
  run<T>(body: () => Promise<T>): Promise<T>;
  /** Stop listening, and quit the connection when the store opened it. */
  close(): Promise<void>;
}

/** The gate over `options.client`. */
export function createReconnectGate(options: ReconnectGateOptions): ReconnectGate {
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
    async run(body) {
      await passGate();
      let abort: ((error: Error) => void) | undefined;
      const dropped = new Promise<never>((_, reject) => {
        abort = reject;
      });
      if (abort) inFlight.add(abort);
      try {
        return await Promise.race([body(), dropped]);
      } finally {
        if (abort) inFlight.delete(abort);
      }
    },
    async close() {
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
