/**
 * Progress of runs across the tabs of an origin over `BroadcastChannel`: the tab driving a run
 * posts its events, the other tabs render them. Messages are structured-cloned by the browser, so
 * they carry plain data only; the channel never writes to storage.
 */
import { InvalidArgumentError, NotSerializableError, StorageUnavailableError } from '@cairn/core';
import { ADAPTER } from './storage-errors.ts';

/** What every message on a tab channel has: the run it is about and what happened. */
export interface TabMessageBase {
  runId: string;
  /** What happened, e.g. an engine event type (`step-end`, `run-end`) or `progress`. */
  type: string;
}

/** A message about one run with any plain data (the default message type). */
export interface TabMessage extends TabMessageBase {
  [field: string]: unknown;
}

/** A named channel between the tabs of an origin. */
export interface TabChannel<Message extends TabMessageBase = TabMessage> {
  /** Send `message` to every other channel of this name (other tabs, workers, other instances). */
  post(message: Message): void;
  /** Call `listener` for every message from the others; returns the function that unsubscribes. */
  subscribe(listener: (message: Message) => void): () => void;
  /** Stop sending and receiving; idempotent. */
  close(): void;
}

function isTabMessage(data: unknown): data is TabMessageBase {
  return (
    typeof data === 'object' &&
    data !== null &&
    typeof (data as TabMessageBase).runId === 'string' &&
    typeof (data as TabMessageBase).type === 'string'
  );
}

function report(error: unknown): void {
  // A failing listener must not stop the others; surface it as the browser reports any error.
  if (typeof globalThis.reportError === 'function') globalThis.reportError(error);
  else
    setTimeout(() => {
      throw error;
    });
}

/**
 * A channel named `name` (use the store's database name to follow the runs of one store). As with
 * `BroadcastChannel`, a channel does not hear its own posts: the tab that drives a run updates its
 * own UI from the runtime's `onEvent`.
 *
 * @example
 * const channel = createTabChannel<RunEvent>('my-app-runs');
 * const runtime = createRuntime({ store, workflows, onEvent: (event) => channel.post(event) });
 * // in another tab
 * const stop = createTabChannel('my-app-runs').subscribe((message) => render(message.runId, message));
 */
export function createTabChannel<Message extends TabMessageBase = TabMessage>(name: string): TabChannel<Message> {
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidArgumentError(`[${ADAPTER}] createTabChannel needs a non-empty channel name`);
  }
  if (typeof BroadcastChannel !== 'function') {
    throw new StorageUnavailableError(`[${ADAPTER}] BroadcastChannel is not available in this runtime`);
  }
  const channel = new BroadcastChannel(name);
  const listeners = new Set<(message: Message) => void>();
  let closed = false;

  channel.onmessage = (event: MessageEvent) => {
    // Other code may share the channel name; only well-formed run messages are delivered.
    if (!isTabMessage(event.data)) return;
    for (const listener of [...listeners]) {
      try {
        listener(event.data as Message);
      } catch (error) {
        report(error);
      }
    }
  };

  return {
    post(message) {
      if (closed) throw new StorageUnavailableError(`[${ADAPTER}] tab channel "${name}" is closed`);
      if (!isTabMessage(message)) {
        throw new InvalidArgumentError(`[${ADAPTER}] tab channel "${name}": a message needs a string runId and type`);
      }
      try {
        channel.postMessage(message);
      } catch (error) {
        throw new NotSerializableError(
          `[${ADAPTER}] tab channel "${name}": message "${message.type}" of run "${message.runId}" cannot be cloned (functions, class instances with private state and DOM nodes cannot cross tabs)`,
          { cause: error },
        );
      }
    },
    subscribe(listener) {
      if (closed) throw new StorageUnavailableError(`[${ADAPTER}] tab channel "${name}" is closed`);
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      channel.close();
    },
  };
}
