/**
 * The conformance harness of the Postgres store: each `create()` is a fresh schema on the test
 * server, `peer` a second store (its own pool) on the same schema, `reopen` closes the store and
 * opens a new one on it. After each test the schemas it used are emptied and kept for later tests:
 * creating tables costs a few hundred ms of DDL commits, emptying them one short transaction.
 */
import { defineStoreHarness, type StoreHarness } from '@cairn/core/testing';
import pg from 'pg';
import { type CreatePostgresStoreOptions, createPostgresStore } from '../src/postgres-store.ts';

type Extra = Omit<CreatePostgresStoreOptions, 'connectionString' | 'pool' | 'poolSize' | 'schema'>;

/** A fresh schema name. */
export function freshSchema(): string {
  return `t_${crypto.randomUUID().replaceAll('-', '').slice(0, 20)}`;
}

/** Drop `schemas` on the server at `url`. */
export async function dropSchemas(url: string, schemas: Iterable<string>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Delete every row of the store tables in `schemas` (one transaction). */
async function emptySchemas(url: string, schemas: Iterable<string>, prefix: string): Promise<void> {
  const statements = [...schemas].flatMap((schema) =>
    ['entries', 'run_payloads', 'runs'].map((table) => `DELETE FROM "${schema}"."${prefix}${table}"`),
  );
  if (statements.length === 0) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // A store that was never used may not have made its tables: skip those schemas.
    const { rows } = await client.query<{ nspname: string }>(
      `SELECT nspname FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid WHERE c.relname = $1`,
      [`${prefix}runs`],
    );
    const present = new Set(rows.map((row) => row.nspname));
    await client.query(statements.filter((statement) => present.has(statement.split('"')[1]!)).join('; ') || 'SELECT 1');
  } finally {
    await client.end();
  }
}

/** A harness over the server at `url`. */
export function postgresHarness(url: string, name: string, extra: Extra = {}): StoreHarness {
  const prefix = extra.tablePrefix ?? 'cairn_';
  const free: string[] = [];
  return defineStoreHarness({
    name,
    timeoutMs: 60_000,
    create: () => free.pop() ?? freshSchema(),
    open: (schema) => createPostgresStore({ connectionString: url, schema, poolSize: 4, ...extra }),
    remove: async (schema) => {
      await emptySchemas(url, [schema], prefix);
      free.push(schema);
    },
  });
}
