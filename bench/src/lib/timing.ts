/**
 * Timing helpers: a monotonic clock in milliseconds, and a collection between measurements so that
 * one variant's garbage is not collected on the next variant's time.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (() => void) | undefined;

/** Collect garbage now, if the runtime lets us. */
export function collectGarbage(): void {
  gc?.();
}

/** Milliseconds `body` took (monotonic clock). */
export async function timeMs(body: () => Promise<unknown> | unknown): Promise<number> {
  const started = performance.now();
  await body();
  return performance.now() - started;
}

/** Rotate `items` left by `by` (alternates which variant goes first from one repetition to the next). */
export function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}
