/**
 * One rule for the `maxPayloadBytes` option of every store: absent means the store's default,
 * otherwise an integer from 1 to the store's ceiling. Each opaque string (input, output, error, an
 * entry's payload) is then measured on its own against it (ADR 0022), by the kit, once per call.
 */
import { InvalidArgumentError } from '../errors.ts';

/**
 * The effective limit for a store's `maxPayloadBytes` option; `InvalidArgumentError` naming the
 * adapter when it is not a positive integer of at most `ceiling`.
 */
export function resolveMaxPayloadBytes(
  adapter: string,
  value: number | undefined,
  defaultBytes: number,
  ceiling: number = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return defaultBytes;
  if (!Number.isSafeInteger(value) || value < 1 || value > ceiling) {
    throw new InvalidArgumentError(
      `[${adapter}] maxPayloadBytes must be a positive integer of at most ${ceiling}, got ${String(value)}`,
    );
  }
  return value;
}
