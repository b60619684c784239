/**
 * `handle.events()`: an async iterator over one run's events in this runtime, ending after `run-end`
 * (or when the consumer stops).
 */
import type { RunEvent } from './events.ts';

/** Subscribe to `runId`'s events in `listeners` and iterate them. */
export function createEventStream(
  listeners: Map<string, Set<(event: RunEvent) => void>>,
  runId: string,
): AsyncIterable<RunEvent> {
  return {
    [Symbol.asyncIterator]() {
      const buffer: RunEvent[] = [];
      let wake: (() => void) | undefined;
      let ended = false;
      const listener = (event: RunEvent): void => {
        buffer.push(event);
        wake?.();
      };
      const set = listeners.get(runId) ?? new Set();
      listeners.set(runId, set);
      set.add(listener);
      const finish = (): void => {
        ended = true;
        set.delete(listener);
      };
      return {
        async next(): Promise<IteratorResult<RunEvent>> {
          for (;;) {
            const event = buffer.shift();
            if (event) {
              if (event.type === 'run-end') finish();
              return { value: event, done: false };
            }
            if (ended) return { value: undefined, done: true };
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
            wake = undefined;
          }
        },
        async return(): Promise<IteratorResult<RunEvent>> {
          finish();
          return { value: undefined, done: true };
        },
      };
    },
  };
}
