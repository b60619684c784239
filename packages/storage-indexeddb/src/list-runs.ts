/**
 * `listRuns` over the indexes: the most selective index for the query is walked newest first and
 * stops after one page, so a page costs O(page) reads whatever the number of runs (plus the runs an
 * `updatedBefore` filter skips).
 */
import { compareListOrder, encodeCursor, type ListPosition, type ListRunsQuery, matchesList, type RunRecord } from '@cairn/core';
import { readRuns } from './run-records.ts';
import type { RunHead } from './schema.ts';
import type { Transaction } from './transaction.ts';

type ListTransaction = Transaction<readonly ['runs', 'texts'], 'readonly'>;

// Filters and order read header fields only, so they apply to headers as they do to runs.
const asRun = (head: RunHead): RunRecord => head as RunRecord;
type IndexName = 'by-created' | 'by-status' | 'by-workflow';

// Array keys compare element by element and an array sorts after every number and string, so
// [prefix] .. [prefix, []] spans every key that starts with `prefix`.
const AFTER_ALL: IDBValidKey = [];

/** One walk of an index: the key prefix it is limited to. */
interface Source {
  index: IndexName;
  prefix: IDBValidKey[];
}

function sources(query: ListRunsQuery | undefined): Source[] {
  if (query?.status !== undefined) {
    return [...new Set(query.status)].map((status) => ({ index: 'by-status', prefix: [status] }));
  }
  if (query?.workflow !== undefined) return [{ index: 'by-workflow', prefix: [query.workflow] }];
  return [{ index: 'by-created', prefix: [] }];
}

function rangeOf(source: Source, position: ListPosition | undefined): IDBKeyRange | undefined {
  // Listing order is (createdAt, runId) descending, which is exactly array-key order on the
  // index's tail, so "after the cursor" is "below [prefix, createdAt, runId]".
  const upper = position ? [...source.prefix, position.createdAt, position.runId] : [...source.prefix, AFTER_ALL];
  if (source.prefix.length === 0) return position ? IDBKeyRange.upperBound(upper, true) : undefined;
  return IDBKeyRange.bound(source.prefix, upper, false, position !== undefined);
}

async function walk(
  tx: ListTransaction,
  source: Source,
  query: ListRunsQuery | undefined,
  position: ListPosition | undefined,
  want: number,
): Promise<RunHead[]> {
  const found: RunHead[] = [];
  let cursor = await tx.objectStore('runs').index(source.index).openCursor(rangeOf(source, position), 'prev');
  while (cursor && found.length < want) {
    if (matchesList(asRun(cursor.value), query)) found.push(cursor.value);
    cursor = await cursor.continue();
  }
  return found;
}

/** One page of runs in listing order, and the cursor of the next page when there is one. */
export async function listPage(
  tx: ListTransaction,
  query: ListRunsQuery | undefined,
  limit: number,
  position: ListPosition | undefined,
): Promise<{ runs: RunRecord[]; cursor?: string }> {
  // One more than a page tells whether another page exists. Several statuses are walked apart
  // (each in order) and merged.
  const found: RunHead[] = [];
  for (const source of sources(query)) found.push(...(await walk(tx, source, query, position, limit + 1)));
  found.sort((a, b) => compareListOrder(asRun(a), asRun(b)));
  const page = await readRuns(tx.objectStore('texts'), found.slice(0, limit));
  const last = page[page.length - 1];
  return found.length > limit && last ? { runs: page, cursor: encodeCursor(last) } : { runs: page };
}
