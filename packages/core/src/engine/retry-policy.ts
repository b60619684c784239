/**
 * Step retries: bounded exponential backoff with jitter. `NonRetriableError` stops at once,
 * `RetryAfterError` sets the next delay, errors marked `retryable: false` by Cairn stop too.
 */
import { CairnError, RetryAfterError } from '../errors.ts';

/** Backoff between attempts. */
export interface Backoff {
  initialMs: number;
  factor: number;
  maxMs: number;
  /** Fraction of each delay that is randomized (0 = none, 1 = full jitter). */
  jitter: number;
}

/** How a step is retried. */
export interface RetryPolicy {
  /** Attempts in all, including the first (1 = no retry). */
  maxAttempts: number;
  backoff: Backoff;
  /** Decide whether an error is worth another attempt (after the built-in rules). */
  retryOn?: (error: unknown) => boolean;
  /**
   * Longest `RetryAfterError` delay honoured in memory (default 5 minutes). A server asking for more
   * (a 429 with `retry-after: 31536000`) ends the step's retries: the step fails with that error
   * instead of holding the run and its lease in memory for as long as the server says.
   */
  maxRetryAfterMs?: number;
}

/** Default `maxRetryAfterMs`. */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

/** Defaults: 3 attempts, 250 ms doubling up to 30 s, 20 % jitter. */
export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 3,
  backoff: { initialMs: 250, factor: 2, maxMs: 30_000, jitter: 0.2 },
};

/** Merge a partial policy over a base. */
export function resolveRetry(
  base: RetryPolicy,
  override: (Partial<Omit<RetryPolicy, 'backoff'>> & { backoff?: Partial<Backoff> }) | false | undefined,
): RetryPolicy {
  if (override === false) return { ...base, maxAttempts: 1 };
  if (!override) return base;
  return {
    maxAttempts: override.maxAttempts ?? base.maxAttempts,
    backoff: { ...base.backoff, ...override.backoff },
    retryOn: override.retryOn ?? base.retryOn,
    maxRetryAfterMs: override.maxRetryAfterMs ?? base.maxRetryAfterMs,
  };
}

/**
 * The delay before attempt `attempt + 1` after `error`, or `null` to stop.
 * `random` is injected so tests are deterministic.
 */
export function nextDelay(
  policy: RetryPolicy,
  attempt: number,
  error: unknown,
  now: number,
  random: () => number,
): number | null {
  if (attempt >= policy.maxAttempts) return null;
  if (CairnError.is(error, 'non-retriable')) return null;
  if (error instanceof RetryAfterError || CairnError.is(error, 'retry-after')) {
    const e = error as RetryAfterError;
    const asked = e.retryAfterMs !== undefined ? e.retryAfterMs : e.retryAt !== undefined ? e.retryAt - now : undefined;
    if (asked !== undefined) {
      // NaN or a wait beyond the cap: stop here rather than park the run in memory.
      if (!Number.isFinite(asked) || asked > (policy.maxRetryAfterMs ?? MAX_RETRY_AFTER_MS)) return null;
      return Math.max(0, asked);
    }
  }
  // Cairn's own errors say whether they are retryable; foreign errors are retried by default.
  if (CairnError.is(error) && !error.retryable && !CairnError.is(error, 'retry-after')) return null;
  if (policy.retryOn && !policy.retryOn(error)) return null;
  const { initialMs, factor, maxMs, jitter } = policy.backoff;
  const base = Math.min(maxMs, initialMs * factor ** (attempt - 1));
  return Math.max(0, Math.round(base * (1 - jitter) + base * jitter * random()));
}
