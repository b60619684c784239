/** Bounded polling for tests, on `vi.waitFor`: every wait has a deadline and says what it was waiting for. */
import { vi } from 'vitest';

/** Poll `read` every `everyMs` until `done(value)`; throws after `timeoutMs` with the last value. */
export function waitFor<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 10_000, everyMs = 25 }: { timeoutMs?: number; everyMs?: number } = {},
): Promise<T> {
  return vi.waitFor(
    async () => {
      const value = await read();
      if (!done(value))
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(value)}`);
      return value;
    },
    { timeout: timeoutMs, interval: everyMs },
  );
}
