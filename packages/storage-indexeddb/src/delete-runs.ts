/**
 * `deleteRuns`: the runs matching every condition, their texts and their journals go in one
 * transaction, so a run is never left without its journal or a journal without its run.
 */
import { type DeleteRunsQuery, matchesDelete, type RunRecord } from '@cairn/core';
import { runRange } from './run-records.ts';
import type { RunHead } from './schema.ts';
import type { Transaction } from './transaction.ts';

type DeleteTransaction = Transaction<readonly ['runs', 'texts', 'entries'], 'readwrite'>;

async function candidates(tx: DeleteTransaction, query: DeleteRunsQuery): Promise<RunHead[]> {
  const runs = tx.objectStore('runs');
  if (query.runIds !== undefined) {
    const found = await Promise.all([...new Set(query.runIds)].map((runId) => runs.get(runId)));
    return found.filter((head) => head !== undefined);
  }
  if (query.status !== undefined) {
    const index = runs.index('by-status');
    const groups = await Promise.all(
      [...new Set(query.status)].map((status) => index.getAll(IDBKeyRange.bound([status], [status, []]))),
    );
    return groups.flat();
  }
  // assertDeleteQuery guarantees updatedBefore here.
  return runs.index('by-updated').getAll(IDBKeyRange.upperBound(query.updatedBefore ?? Number.NEGATIVE_INFINITY, true));
}

/** Delete the runs matching `query` with their texts and journals; resolves with how many runs went. */
export async function deleteMatching(tx: DeleteTransaction, query: DeleteRunsQuery): Promise<number> {
  // The conditions read header fields only, so they apply to headers as they do to runs.
  const doomed = (await candidates(tx, query)).filter((head) => matchesDelete(head as RunRecord, query));
  await Promise.all(
    doomed.flatMap((head) => [
      tx.objectStore('runs').delete(head.runId),
      tx.objectStore('texts').delete(runRange(head.runId)),
      tx.objectStore('entries').delete(runRange(head.runId)),
    ]),
  );
  return doomed.length;
}
