/**
 * The conformance harness of the Postgres store: each `create()` is a fresh schema on the test
 * server, `peer` a second store (its own pool) on the same schema, `reopen` closes the store and
 * opens a new one on it. Schemas are dropped after each test.
 */
import type { DurableStore } from '@cairn/core';
import type { StoreHarness } from '@cairn/core/testing';
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

/** A harness over the server at `url`. */
export function postgresHarness(url: string, name: string, extra: Extra = {}): StoreHarness {
  const schemaOf = new WeakMap<DurableStore, string>();
  const opened: DurableStore[] = [];
  const schemas = new Set<string>();
  const open = (schema: string): DurableStore => {
    const store = createPostgresStore({ connectionString: url, schema, poolSize: 4, ...extra });
    schemaOf.set(store, schema);
    schemas.add(schema);
    opened.push(store);
    return store;
  };
  const schemaFor = (store: DurableStore): string => {
    const schema = schemaOf.get(store);
    if (schema === undefined) throw new Error('store was not opened by this harness');
    return schema;
  };
  return {
    name,
    timeoutMs: 60_000,
    create: async () => open(freshSchema()),
    peer: async (store) => open(schemaFor(store)),
    reopen: async (store) => {
      await store.close();
      return open(schemaFor(store));
    },
    cleanup: async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
      await dropSchemas(url, schemas);
      schemas.clear();
    },
  };
}
