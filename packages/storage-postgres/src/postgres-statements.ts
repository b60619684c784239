/**
 * The SQL of one store. Fixed statements are built once; those whose text depends on the call's
 * shape (which fields a patch sets, how many entries an append carries, which filters a listing
 * has) are built on first use and cached by shape. Every statement gets a stable name, so each
 * pooled connection parses and plans it once (a prepared statement) and a call is one round trip:
 * Bind, Execute, Sync. Values are always bound parameters; identifiers come from `PostgresTables`.
 */
import { filterShapeKey, type RunFilterShape } from '@cairn/core/adapter';
import type { QueryArrayConfig, QueryConfig } from 'pg';
import { HEADER_COLUMNS, HEADER_FIELDS, INSERT_HEADER_COLUMNS, PAYLOAD_COLUMNS, PAYLOAD_FIELDS } from './postgres-rows.ts';
import type { PostgresTables } from './postgres-schema.ts';

// Statement names are process-wide: one name per distinct SQL text, so two stores sharing a pool
// (or a connection) never give one name two meanings. Each text gets two prototypes holding its
// name and text (one with `rowMode: 'array'`); a call's config inherits them and owns only its
// values, so `pg`, which copies the own properties of every config it is given, copies one.
interface Fixed {
  objects: object;
  arrays: object;
}
const fixed = new Map<string, Fixed>();

function fixedOf(text: string): Fixed {
  let entry = fixed.get(text);
  if (entry === undefined) {
    const name = `cairn_${fixed.size}`;
    entry = { objects: { name, text }, arrays: { name, text, rowMode: 'array' } };
    fixed.set(text, entry);
  }
  return entry;
}

/** A named query config for `text` with `values`. */
export function named(text: string, values: unknown[]): QueryConfig {
  const config = Object.create(fixedOf(text).objects) as QueryConfig;
  config.values = values;
  return config;
}

/** A named query config whose rows come back as arrays. */
export function namedArrays(text: string, values: unknown[]): QueryArrayConfig {
  const config = Object.create(fixedOf(text).arrays) as QueryArrayConfig;
  config.values = values;
  return config;
}

const HEADER_LIST = HEADER_COLUMNS.join(', ');
const RUN_ROW_LIST = [...HEADER_COLUMNS.map((column) => `r.${column}`), ...PAYLOAD_COLUMNS.map((column) => `p.${column}`)].join(
  ', ',
);

function whereOf(shape: RunFilterShape, first: number): string {
  const conditions: string[] = [];
  let n = first;
  if (shape.runIds) conditions.push(`r.run_id = ANY($${n++}::text[])`);
  if (shape.status) conditions.push(`r.status = ANY($${n++}::text[])`);
  if (shape.workflow) conditions.push(`r.workflow = $${n++}`);
  if (shape.updatedBefore) conditions.push(`r.updated_at < $${n++}`);
  if (shape.cursor) conditions.push(`(r.created_at, r.run_id) < ($${n++}::float8, $${n++}::text)`);
  return conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
}

function cached(cache: Map<string, string>, key: string, build: () => string): string {
  let text = cache.get(key);
  if (text === undefined) {
    text = build();
    cache.set(key, text);
  }
  return text;
}

/** SET items of a patch's header fields and payload fields, numbering parameters from `first`. */
function setLists(mask: number, first: number): { header: string[]; payload: string[] } {
  let n = first;
  const header: string[] = [];
  const payload: string[] = [];
  HEADER_FIELDS.forEach((entry, index) => {
    if (mask & (1 << index)) for (const column of entry.columns) header.push(`${column} = $${n++}`);
  });
  PAYLOAD_FIELDS.forEach((entry, index) => {
    if (mask & (1 << (HEADER_FIELDS.length + index))) for (const column of entry.columns) payload.push(`${column} = $${n++}`);
  });
  return { header, payload };
}

/** Number of parameters a patch mask binds. */
function patchParameterCount(mask: number): number {
  let count = 0;
  HEADER_FIELDS.forEach((entry, index) => {
    if (mask & (1 << index)) count += entry.columns.length;
  });
  PAYLOAD_FIELDS.forEach((entry, index) => {
    if (mask & (1 << (HEADER_FIELDS.length + index))) count += entry.columns.length;
  });
  return count;
}

// Appends of up to this many entries bind one VALUES row each; longer ones bind four arrays.
export const VALUES_ROWS = 32;

/** The statements of a store over `tables`. */
export function prepareStatements(tables: PostgresTables) {
  const { runs, payloads, entries } = tables;
  const cache = new Map<string, string>();
  // Appends by patch mask and entry-count shape (the hot path: a number key, no string built).
  const appends = new Map<number, string>();

  // `WITH head AS (UPDATE … RETURNING …)[, pay AS (UPDATE payloads …)]`: the CAS on the header
  // row, and the payload columns of the patch written only when the CAS held.
  function casHead(check: 'version' | 'last_seq', mask: number, extraSets: string[], first: number, returning: string): string {
    const { header, payload } = setLists(mask, first);
    const sets = [...extraSets, ...header];
    if (payload.length > 0) sets.push('payload_version = payload_version + 1');
    const head = `WITH head AS (UPDATE ${runs} AS r SET ${sets.join(', ')} WHERE run_id = $1 AND ${check} = $2 RETURNING ${returning})`;
    return payload.length === 0
      ? head
      : `${head}, pay AS (UPDATE ${payloads} SET ${payload.join(', ')} WHERE run_id = $1 AND EXISTS (SELECT 1 FROM head))`;
  }

  return {
    /** `$1` run id: the header joined with payloads. */
    selectRun: `SELECT ${RUN_ROW_LIST} FROM ${runs} r JOIN ${payloads} p ON p.run_id = r.run_id WHERE r.run_id = $1`,
    /** `$1` run id: the payload version and payloads, read together. */
    selectPayloads: `SELECT r.payload_version, ${PAYLOAD_COLUMNS.map((c) => `p.${c}`).join(', ')} FROM ${runs} r JOIN ${payloads} p ON p.run_id = r.run_id WHERE r.run_id = $1`,
    /** `$1` run id: the CAS tokens, to tell a lost CAS from a missing run. */
    selectTokens: `SELECT version, last_seq FROM ${runs} WHERE run_id = $1`,
    /** Insert a run and its payloads; no row back when the id is taken. Values: `insertValues`. */
    insertRun: (() => {
      const headerColumns = INSERT_HEADER_COLUMNS;
      const payloadColumns = PAYLOAD_FIELDS.flatMap((f) => f.columns);
      const headerParams = headerColumns.map((_, i) => `$${i + 1}`);
      const payloadParams = payloadColumns.map((_, i) => `$${headerColumns.length + i + 1}`);
      return `WITH head AS (INSERT INTO ${runs} (${headerColumns.join(', ')}) VALUES (${headerParams.join(', ')}) ON CONFLICT (run_id) DO NOTHING RETURNING run_id)
        INSERT INTO ${payloads} (run_id, ${payloadColumns.join(', ')}) SELECT run_id, ${payloadParams.join(', ')} FROM head RETURNING run_id`;
    })(),
    /** `$1` run id, `$2` expected version, then the patch's values. */
    updateRun(mask: number): string {
      return cached(
        cache,
        `update:${mask}`,
        () => `${casHead('version', mask, ['version = version + 1'], 3, HEADER_LIST)} SELECT * FROM head`,
      );
    },
    /**
     * `$1` run id, `$2` expected lastSeq, `$3` and `$4` the version and payload_version the handle
     * expects the row to have after the append (null: unknown), then the patch's values, then 4
     * values per entry. One row (one column, as an array) when the CAS held: null when the row has
     * the expected version and payload_version, else the whole header row as JSON text (parsed
     * here, whatever type parsers the caller's pool has); no row otherwise.
     */
    append(mask: number, count: number): string {
      const shape = count <= VALUES_ROWS ? count : 0;
      const key = mask * (VALUES_ROWS + 1) + shape;
      const known = appends.get(key);
      if (known !== undefined) return known;
      const text = (() => {
        let n = 5 + patchParameterCount(mask);
        const lastSeq = count <= VALUES_ROWS ? `last_seq = $2 + ${count}` : `last_seq = $2 + cardinality($${n}::text[])`;
        const source =
          count <= VALUES_ROWS
            ? `(VALUES ${Array.from({ length: count }, (_, i) => `(${i + 1}, $${n++}::text, $${n++}::text, $${n++}::bytea, $${n++}::float8)`).join(', ')}) AS v(o, k, y, p, c)`
            : `unnest($${n++}::text[], $${n++}::text[], $${n++}::bytea[], $${n++}::float8[]) WITH ORDINALITY AS v(k, y, p, c, o)`;
        const returning = 'CASE WHEN r.version = $3::int8 AND r.payload_version = $4::int8 THEN NULL ELSE to_json(r)::text END';
        return `${casHead('last_seq', mask, [lastSeq], 5, returning)}, ins AS (INSERT INTO ${entries} (run_id, seq, kind, key, payload, created_at) SELECT $1, $2 + v.o, v.k, v.y, v.p, v.c FROM ${source} WHERE EXISTS (SELECT 1 FROM head)) SELECT * FROM head`;
      })();
      appends.set(key, text);
      return text;
    },
    /** `$1` run id, `$2` afterSeq, `$3` limit (null: all). Rows as arrays. */
    readEntries: `SELECT seq, kind, key, payload, created_at FROM ${entries} WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    countByStatus: `SELECT status, count(*)::int4 AS count FROM ${runs} GROUP BY status`,
    /** Listing page: filters in `RunFilterShape` order, then `LIMIT`. */
    listRuns(shape: RunFilterShape): string {
      return cached(cache, `list:${filterShapeKey(shape)}`, () => {
        const where = whereOf(shape, 1);
        const limit = (where.match(/\$/g)?.length ?? 0) + 1;
        return `SELECT ${RUN_ROW_LIST} FROM ${runs} r JOIN ${payloads} p ON p.run_id = r.run_id ${where} ORDER BY r.created_at DESC, r.run_id DESC LIMIT $${limit}`;
      });
    },
    /** Delete matching runs' headers (locking them), returning their ids. */
    deleteHeaders(shape: RunFilterShape): string {
      return cached(
        cache,
        `delete:${filterShapeKey(shape)}`,
        () => `DELETE FROM ${runs} r ${whereOf(shape, 1)} RETURNING r.run_id`,
      );
    },
    deletePayloads: `DELETE FROM ${payloads} WHERE run_id = ANY($1::text[])`,
    deleteEntries: `DELETE FROM ${entries} WHERE run_id = ANY($1::text[])`,
  };
}

/** The statements of one store. */
export type PostgresStatements = ReturnType<typeof prepareStatements>;
