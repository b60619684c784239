/**
 * The part of a Durable Object's `DurableObjectStorage` the store uses, typed structurally so this
 * package's declarations depend on neither `@cloudflare/workers-types` nor `wrangler types` output:
 * a real `ctx.storage` of a SQLite-backed Durable Object satisfies it as is.
 */

/** A value SQLite hands back or takes as a binding. */
export type SqlValue = ArrayBuffer | string | number | null;

/** The cursor `sql.exec` returns. Rows are read synchronously. */
export interface SqlCursor<Row extends Record<string, SqlValue>> {
  toArray(): Row[];
  /** Rows the statement wrote (complete once a statement that returns no rows was executed). */
  readonly rowsWritten: number;
  one(): Row;
  [Symbol.iterator](): IterableIterator<Row>;
}

/** `ctx.storage.sql` of a SQLite-backed Durable Object. */
export interface SqlExecutor {
  exec<Row extends Record<string, SqlValue>>(query: string, ...bindings: SqlValue[]): SqlCursor<Row>;
}

/** The subset of `DurableObjectStorage` the store needs: synchronous SQL and synchronous transactions. */
export interface DurableObjectSqlStorage {
  readonly sql: SqlExecutor;
  transactionSync<T>(closure: () => T): T;
}
