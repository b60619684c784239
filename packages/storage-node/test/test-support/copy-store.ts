/**
 * Copy every run (header and journal) from one store to another through the storage contract, so
 * a test can compare what the CLI shows for the same runs in a SQLite and a file store.
 */
import type { DurableStore, RunRecord } from '@cairn/core';

/** Copy all runs of `from` into `to` (which must not hold them yet); returns how many. */
export async function copyRuns(from: DurableStore, to: DurableStore): Promise<number> {
  const runs: RunRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await from.listRuns({ limit: 1000, ...(cursor ? { cursor } : {}) });
    runs.push(...page.runs);
    cursor = page.cursor;
  } while (cursor);
  for (const { version: _version, lastSeq: _lastSeq, ...run } of runs) {
    await to.createRun(run);
    const entries = await from.readEntries(run.runId);
    if (entries.length > 0) {
      await to.append(
        run.runId,
        0,
        entries.map(({ kind, key, payload, createdAt }) => ({ kind, key, payload, createdAt })),
        { updatedAt: run.updatedAt },
      );
    }
  }
  return runs.length;
}
