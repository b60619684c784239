/**
 * Parsing of numeric and JSON option values, with usage errors that name the option.
 */
import { UsageError } from '../cli-errors.ts';

/** A whole number ≥ 1 (at most `max`) from an option's text. */
export function positiveInteger(option: string, text: string | boolean | undefined, max = 1_000_000): number {
  const value = Number(text);
  if (typeof text !== 'string' || !/^\d+$/.test(text) || value < 1 || value > max)
    throw new UsageError(`${option}: expected a whole number from 1 to ${max}, got ${JSON.stringify(String(text).slice(0, 40))}`);
  return value;
}

/** A JSON value from an option's text (undefined when the option is absent). */
export function jsonOption(option: string, text: string | boolean | undefined): unknown {
  if (text === undefined) return undefined;
  if (typeof text !== 'string') throw new UsageError(`${option} needs a JSON value`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${option}: not valid JSON (${(error as Error).message.slice(0, 120)})`);
  }
}
