/**
 * `--status s1,s2` values.
 */
import { RUN_STATUSES, type RunStatus } from '@cairn/core';
import { UsageError } from './cli-errors.ts';

/** Parse a comma-separated status list; `UsageError` naming the valid ones otherwise. */
export function parseStatuses(text: string, option = '--status'): RunStatus[] {
  const list = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const bad = list.filter((status) => !RUN_STATUSES.includes(status as RunStatus));
  if (list.length === 0 || bad.length > 0) {
    throw new UsageError(
      `${option}: unknown status ${JSON.stringify(bad[0] ?? text)}; use a comma-separated list of ${RUN_STATUSES.join(', ')}`,
    );
  }
  return [...new Set(list)] as RunStatus[];
}
