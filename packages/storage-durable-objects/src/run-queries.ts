/**
 * The set-based queries over runs: a page of `listRuns`, `deleteRuns`, `stats`. Filters follow
 * core's `matchesList` / `matchesDelete` exactly (an empty status or id list matches nothing) and
 * never bind more than a handful of parameters, whatever the caller passes (the platform allows 100).
 */
import type { DeleteRunsQuery, ListPosition, ListRunsQuery, RunStatus, StoreStats } from '@cairn/core';
import { emptyStats, RUN_STATUSES } from '@cairn/core';
import { IDS_PER_STATEMENT } from './limits.ts';
import type { RunRow } from './run-rows.ts';
import { RUN_COLUMNS } from './run-rows.ts';
import type { TableNames } from './schema.ts';
import type { SqlExecutor, SqlValue } from './sql-storage.ts';

interface Filter {
  where: string[];
  params: SqlValue[];
}

function statusFilter(filter: Filter, statuses: readonly RunStatus[] | undefined): void {
  if (statuses === undefined) return;
  // Unknown statuses match no run, so dropping them keeps the result and bounds the bindings.
  const known = RUN_STATUSES.filter((status) => statuses.includes(status));
  if (known.length === 0) filter.where.push('0');
  else filter.where.push(`status IN (${known.map(() => '?').join(', ')})`);
  filter.params.push(...known);
}

function whereClause(filter: Filter): string {
  return filter.where.length === 0 ? '' : `WHERE ${filter.where.join(' AND ')}`;
}

/** A statement and its bindings. */
export interface Statement {
  text: string;
  params: SqlValue[];
}

/** The statement of one `listRuns` page: up to `limit` rows in listing order after `position`. */
export function runPageStatement(
  tables: TableNames,
  query: ListRunsQuery | undefined,
  position: ListPosition | undefined,
  limit: number,
): Statement {
  const filter: Filter = { where: [], params: [] };
  statusFilter(filter, query?.status);
  if (query?.workflow !== undefined) {
    filter.where.push('workflow = ?');
    filter.params.push(query.workflow);
  }
  if (query?.updatedBefore !== undefined) {
    filter.where.push('updated_at < ?');
    filter.params.push(query.updatedBefore);
  }
  if (position) {
    // A row value, so SQLite seeks the (created_at DESC, run_id DESC) index instead of sorting.
    filter.where.push('(created_at, run_id) < (?, ?)');
    filter.params.push(position.createdAt, position.runId);
  }
  return {
    text: `SELECT ${RUN_COLUMNS} FROM ${tables.runs} ${whereClause(filter)} ORDER BY created_at DESC, run_id DESC LIMIT ?`,
    params: [...filter.params, limit],
  };
}

/** Up to `limit` rows in listing order (`createdAt` desc, then `runId` desc) after `position`. */
export function selectRunPage(
  sql: SqlExecutor,
  tables: TableNames,
  query: ListRunsQuery | undefined,
  position: ListPosition | undefined,
  limit: number,
): RunRow[] {
  const statement = runPageStatement(tables, query, position, limit);
  return sql.exec<RunRow>(statement.text, ...statement.params).toArray();
}

/** Delete the runs matching `query`, their entries and chunks; returns the number of runs. Call in a transaction. */
export function deleteMatchingRuns(sql: SqlExecutor, tables: TableNames, query: DeleteRunsQuery): number {
  // Ids travel as one JSON text per statement (json_each), in batches that keep it far under 2 MB.
  const batches: (string[] | undefined)[] = [];
  if (query.runIds === undefined) batches.push(undefined);
  else
    for (let i = 0; i < query.runIds.length; i += IDS_PER_STATEMENT) batches.push(query.runIds.slice(i, i + IDS_PER_STATEMENT));
  if (query.runIds?.length === 0) return 0;
  let deleted = 0;
  for (const ids of batches) {
    const filter: Filter = { where: [], params: [] };
    if (ids) {
      filter.where.push('run_id IN (SELECT value FROM json_each(?))');
      filter.params.push(JSON.stringify(ids));
    }
    statusFilter(filter, query.status);
    if (query.updatedBefore !== undefined) {
      filter.where.push('updated_at < ?');
      filter.params.push(query.updatedBefore);
    }
    const matching = `SELECT run_id FROM ${tables.runs} ${whereClause(filter)}`;
    sql.exec(`DELETE FROM ${tables.chunks} WHERE run_id IN (${matching})`, ...filter.params);
    sql.exec(`DELETE FROM ${tables.entries} WHERE run_id IN (${matching})`, ...filter.params);
    deleted += sql.exec(`DELETE FROM ${tables.runs} ${whereClause(filter)} RETURNING run_id`, ...filter.params).toArray().length;
  }
  return deleted;
}

/** Counts of runs by status. */
export function countRuns(sql: SqlExecutor, tables: TableNames): StoreStats {
  const stats = emptyStats();
  for (const row of sql.exec<{ status: string; n: number }>(`SELECT status, count(*) AS n FROM ${tables.runs} GROUP BY status`)) {
    stats.total += row.n;
    if (Object.hasOwn(stats.byStatus, row.status)) stats.byStatus[row.status as RunStatus] += row.n;
  }
  return stats;
}
