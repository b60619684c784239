/** Bounded waits for Node-side tests: nothing a test awaits may hang it past its own timeout. */
import { vi } from 'vitest';

/** Resolve after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `promise`, or a rejection naming `what` after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Poll `check` every `intervalMs` until it returns true; reject naming `what` after `timeoutMs`
 * (`vi.waitFor`, which also bounds a check that never settles). For conditions a page can only
 * answer asynchronously (a store read): Playwright's `waitForFunction` does not await a promise
 * its function returns, it takes the promise as truthy.
 */
export async function until(
  check: () => Promise<boolean>,
  options: { what: string; timeoutMs: number; intervalMs?: number },
): Promise<void> {
  await vi.waitFor(
    async () => {
      if (!(await check())) throw new Error(`${options.what}: not true within ${options.timeoutMs} ms`);
    },
    { timeout: options.timeoutMs, interval: options.intervalMs ?? 50 },
  );
}
