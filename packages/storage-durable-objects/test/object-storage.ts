/**
 * Direct access to a real Durable Object's storage for unit tests: `inFreshObject` runs `body`
 * inside a new, empty SQLite-backed object, with its `ctx.storage`.
 */
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';

/** Run `body` inside a brand-new bare object (new id, empty storage) and return its result. */
export function inFreshObject<T>(body: (storage: DurableObjectStorage, state: DurableObjectState) => T | Promise<T>): Promise<T> {
  return inObject(env.BARE_OBJECT.newUniqueId(), body);
}

/** Run `body` inside the bare object `id` (a fresh stub each time). */
export function inObject<T>(
  id: DurableObjectId,
  body: (storage: DurableObjectStorage, state: DurableObjectState) => T | Promise<T>,
): Promise<T> {
  return runInDurableObject(env.BARE_OBJECT.get(id), (_instance, state) => body(state.storage, state));
}

/** Bytes of the largest text value and the largest row (sum of text columns) in each store table. */
export function largestStoredBytes(storage: DurableObjectStorage, prefix = 'cairn_'): { value: number; row: number } {
  const bytes = (column: string) => `coalesce(length(CAST(${column} AS BLOB)), 0)`;
  const sql = storage.sql;
  const measure = (table: string, columns: string[]) =>
    sql
      .exec<{ value: number | null; row: number | null }>(
        `SELECT max(${columns.length === 1 ? bytes(columns[0]!) : `max(${columns.map(bytes).join(', ')})`}) AS value,
                max(${columns.map(bytes).join(' + ')}) AS row FROM ${prefix}${table}`,
      )
      .one();
  const tables = [
    measure('runs', ['run_id', 'workflow', 'status', 'header', 'input', 'output', 'error']),
    measure('entries', ['run_id', 'kind', 'key', 'payload']),
    measure('chunks', ['run_id', 'data']),
  ];
  return {
    value: Math.max(...tables.map((table) => table.value ?? 0)),
    row: Math.max(...tables.map((table) => table.row ?? 0)),
  };
}
