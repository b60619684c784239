/**
 * The parts of a run query no store answers by itself: search by id (a `get`) and an age limit
 * (runs come newest first, so the first run older than the limit ends the listing).
 */
import type { RunInfo } from '@cairn/core';
import type { RunQuery } from './backend.ts';

/** List with `page`, then apply `runId` and `createdAfter`. */
export async function queryRuns(
  query: RunQuery,
  page: (query: RunQuery) => Promise<{ runs: RunInfo[]; cursor?: string }>,
  get: (runId: string) => Promise<RunInfo>,
): Promise<{ runs: RunInfo[]; cursor?: string }> {
  if (query.runId !== undefined) {
    try {
      const run = await get(query.runId);
      return { runs: matches(run, query) ? [run] : [] };
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      // No such run, or no valid id: the search found nothing (codes survive HTTP, unlike classes).
      if (code === 'run-not-found' || code === 'invalid-run-id') return { runs: [] };
      throw error;
    }
  }
  const { runId: _, createdAfter, ...rest } = query;
  const result = await page(rest);
  if (createdAfter === undefined) return result;
  const runs = result.runs.filter((run) => run.createdAt >= createdAfter);
  // A run older than the limit ends the list: the store pages newest first.
  return runs.length < result.runs.length || result.cursor === undefined ? { runs } : { runs, cursor: result.cursor };
}

function matches(run: RunInfo, query: RunQuery): boolean {
  if (query.status && !query.status.includes(run.status)) return false;
  if (query.workflow && run.workflow !== query.workflow) return false;
  if (query.createdAfter !== undefined && run.createdAt < query.createdAfter) return false;
  for (const [key, value] of Object.entries(query.metadata ?? {})) if (run.metadata?.[key] !== value) return false;
  return true;
}
