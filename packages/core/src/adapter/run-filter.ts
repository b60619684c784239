/**
 * The shape of a runs query for stores that build SQL: which filters it sets, so a store builds one
 * statement text per shape (at most 32), caches it under `filterShapeKey`, and binds the values in
 * the shape's order (runIds, status, workflow, updatedBefore, then the cursor's position).
 */
import type { ListPosition } from '../storage/helpers.ts';
import type { DeleteRunsQuery, ListRunsQuery } from '../storage/types.ts';

/** Which filters a runs query has (the SQL shape); values are bound in this order. */
export interface RunFilterShape {
  runIds: boolean;
  status: boolean;
  workflow: boolean;
  updatedBefore: boolean;
  cursor: boolean;
}

/** The shape of a `listRuns` page: its filters, and a cursor when `position` is given. */
export function listFilterShape(query: ListRunsQuery | undefined, position: ListPosition | undefined): RunFilterShape {
  return {
    runIds: false,
    status: query?.status !== undefined,
    workflow: query?.workflow !== undefined,
    updatedBefore: query?.updatedBefore !== undefined,
    cursor: position !== undefined,
  };
}

/** The shape of a `deleteRuns` query. */
export function deleteFilterShape(query: DeleteRunsQuery): RunFilterShape {
  return {
    runIds: query.runIds !== undefined,
    status: query.status !== undefined,
    workflow: false,
    updatedBefore: query.updatedBefore !== undefined,
    cursor: false,
  };
}

/** A number from 0 to 31 naming `shape`: the cache key of its statement. */
export function filterShapeKey(shape: RunFilterShape): number {
  return (
    (shape.runIds ? 1 : 0) |
    (shape.status ? 2 : 0) |
    (shape.workflow ? 4 : 0) |
    (shape.updatedBefore ? 8 : 0) |
    (shape.cursor ? 16 : 0)
  );
}
