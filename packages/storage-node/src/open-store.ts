/**
 * `openStore`: a store from a one-line spec, for command lines and configuration files.
 */
import { type DurableStore, InvalidArgumentError } from '@cairn/core';
import { createFileStore } from './file/file-store.ts';
import { openPostgresStore } from './postgres/open-postgres-store.ts';
import { isPostgresSpec, type PostgresSpec, parsePostgresSpec } from './postgres/postgres-spec.ts';
import { openRedisStore, redactSpec } from './remote-store.ts';
import { ADAPTER, resolveNodeMaxPayloadBytes } from './shared/adapter.ts';
import { createSqliteStore } from './sqlite/sqlite-store.ts';

/** Options `openStore` passes on to the store it opens. */
export interface OpenStoreOptions {
  maxPayloadBytes?: number;
}

/**
 * The spec forms `openStore` takes, as help and messages list them (one entry per store kind).
 */
export const STORE_SPEC_FORMS: readonly string[] = ['sqlite:PATH', 'file:DIR', 'postgres://…', 'redis://…'];

/** The spec forms as a phrase: `a, b or c`. */
export function storeSpecFormsText(separator = ' or '): string {
  return `${STORE_SPEC_FORMS.slice(0, -1).join(', ')}${separator}${STORE_SPEC_FORMS.at(-1)}`;
}

/** What a store spec names. */
export type StoreSpec =
  | { kind: 'sqlite'; path: string }
  | { kind: 'file'; dir: string }
  | PostgresSpec
  | { kind: 'redis'; url: string };

/**
 * Parse `sqlite:PATH`, `file:DIR` (everything after the first colon is the path, verbatim, so
 * `sqlite:./runs.db`, `sqlite:/var/lib/app/cairn.db` and `file:C:\runs` all work),
 * `postgres://user:password@host:port/database` (optional `?schema=S&tablePrefix=P`) or a
 * `redis://` / `rediss://` URL (ADR 0162). Messages never show a spec's credentials.
 */
export function parseStoreSpec(spec: string): StoreSpec {
  if (typeof spec === 'string' && isPostgresSpec(spec)) return parsePostgresSpec(spec);
  const colon = typeof spec === 'string' ? spec.indexOf(':') : -1;
  const kind = colon > 0 ? spec.slice(0, colon) : '';
  const path = colon > 0 ? spec.slice(colon + 1) : '';
  const shown = JSON.stringify(redactSpec(String(spec)).slice(0, 200));
  if (kind === 'redis' || kind === 'rediss') {
    if (!URL.canParse(spec) || !path.startsWith('//') || new URL(spec).hostname === '')
      throw new InvalidArgumentError(`[${ADAPTER}] store spec ${shown} must look like ${kind}://HOST[:PORT][/DB]`);
    return { kind: 'redis', url: spec };
  }
  if (kind !== 'sqlite' && kind !== 'file') {
    throw new InvalidArgumentError(`[${ADAPTER}] store spec ${shown} must look like ${storeSpecFormsText()}`);
  }
  if (path.length === 0 || path.includes('\u0000')) {
    throw new InvalidArgumentError(
      `[${ADAPTER}] store spec ${shown} needs a ${kind === 'sqlite' ? 'database path' : 'directory'} after "${kind}:"`,
    );
  }
  return kind === 'sqlite' ? { kind, path } : { kind, dir: path };
}

/**
 * Open the store a spec names: `sqlite:PATH` (SQLite file, created if missing), `file:DIR`
 * (file store directory, created if missing), `postgres://…` (tables created on first use; needs
 * the optional peer `@cairn/storage-postgres`) or `redis://…` (needs the optional peer
 * `@cairn/storage-redis`). Server stores open on first use: a missing package or a refused server
 * rejects the first call.
 *
 * @example
 * const store = openStore(process.argv[2] ?? 'sqlite:./cairn.db');
 */
export function openStore(spec: string, options: OpenStoreOptions = {}): DurableStore {
  const parsed = parseStoreSpec(spec);
  if (parsed.kind === 'postgres') return openPostgresStore(parsed, options);
  if (parsed.kind === 'redis') return openRedisStore(parsed.url, resolveNodeMaxPayloadBytes(options.maxPayloadBytes));
  return parsed.kind === 'sqlite'
    ? createSqliteStore({ path: parsed.path, ...options })
    : createFileStore({ dir: parsed.dir, ...options });
}
