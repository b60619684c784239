/**
 * Durations on the command line: a whole number and a unit — `90s`, `15m`, `12h`, `7d`.
 */
import { UsageError } from './cli-errors.ts';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a duration like `7d`; `UsageError` for anything else. */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d{1,9})([smhd])$/.exec(text.trim());
  if (!match) {
    throw new UsageError(
      `${option}: bad duration ${JSON.stringify(text.slice(0, 40))}: use a whole number and a unit, like 30s, 15m, 12h or 7d`,
    );
  }
  return Number(match[1]) * UNITS[match[2]!]!;
}
