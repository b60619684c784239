/**
 * `postgres://…` store specs: parsing them (with `schema` and `tablePrefix` as query parameters)
 * and showing them without credentials. A spec is a secret-bearing string: nothing of this
 * package ever prints it whole.
 */
import { InvalidArgumentError } from '@cairn/core';
import { redactSpec } from '../remote-store.ts';
import { ADAPTER } from '../shared/adapter.ts';

/** `spec` with any user name and password replaced, for messages (one rule for every server spec). */
export { redactSpec };

/** A parsed Postgres spec: the connection string for `pg`, and the store's own options. */
export interface PostgresSpec {
  kind: 'postgres';
  /** The connection string without Cairn's own query parameters (may hold a password). */
  url: string;
  schema?: string;
  tablePrefix?: string;
}

/** True when `spec` names a Postgres database. */
export function isPostgresSpec(spec: string): boolean {
  return /^postgres(ql)?:\/\//i.test(spec);
}

/** Parse `postgres://user:password@host:port/database?schema=S&tablePrefix=P`. */
export function parsePostgresSpec(spec: string): PostgresSpec {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new InvalidArgumentError(
      `[${ADAPTER}] store spec ${JSON.stringify(redactSpec(spec).slice(0, 200))} is not a valid postgres:// URL`,
    );
  }
  const schema = url.searchParams.get('schema') ?? undefined;
  const tablePrefix = url.searchParams.get('tablePrefix') ?? undefined;
  url.searchParams.delete('schema');
  url.searchParams.delete('tablePrefix');
  return {
    kind: 'postgres',
    url: url.toString(),
    ...(schema === undefined ? {} : { schema }),
    ...(tablePrefix === undefined ? {} : { tablePrefix }),
  };
}
