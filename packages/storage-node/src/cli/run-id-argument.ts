/**
 * Run ids from the command line: validated before any store is touched.
 */
import { RUN_ID_PATTERN } from '@cairn/core';
import { UsageError } from './cli-errors.ts';

/** The run id, or `UsageError` (exit 2) when it cannot be one. */
export function runIdArgument(text: string | undefined): string {
  if (text === undefined || !RUN_ID_PATTERN.test(text)) {
    throw new UsageError(
      `invalid run id ${JSON.stringify(String(text).slice(0, 140))}: expected 1-128 characters of A-Z a-z 0-9 _ -`,
    );
  }
  return text;
}
