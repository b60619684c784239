/**
 * The Postgres store: `DurableStore` on `pg` (node-postgres), for many Node processes sharing one
 * database (ADR 0150).
 *
 * Invariants:
 * - every compare-and-set is one statement, so one implicit transaction and one round trip: the
 *   `UPDATE … WHERE last_seq = $2` (or `version = $2`) on the header row, the entry inserts and the
 *   payload update run only when that UPDATE matched; a concurrent writer blocks on the row lock
 *   and then re-checks the condition against the committed row, so exactly one wins;
 * - `(run_id, seq)` is the entries' primary key: a dense journal is also enforced by the server;
 * - nothing is acknowledged before the server reported the commit (synchronous_commit is the
 *   server's; with its default `on`, the WAL is flushed first);
 * - a refused call (bad argument, oversize payload, lost CAS) writes nothing;
 * - connection loss, a restarting server, serialization failures surface as retryable
 *   `StorageUnavailableError`;
 * - the handle keeps the payloads (input, output, error, metadata) it last saw per run with their
 *   `payload_version`, so appends never send or fetch them again while they do not change; a new
 *   run's `payload_version` starts at a random 48-bit value, so a run deleted and created again
 *   under the same id elsewhere never matches what this handle kept of the old one;
 * - it also keeps the header row it last read or wrote with them; `append` returns a record built
 *   from that row only when the server confirmed, in the append's own statement, that the row the
 *   append was made on is that one (same payload_version, version and last_seq, which together
 *   name one state of a row: ADR 0197); otherwise the statement returns the whole row.
 */
import { conflictError, type DurableStore, type RunPatch, type RunRecord, type RunStatus } from '@cairn/core';
import {
  createAdapterKit,
  defineStore,
  deleteFilterShape,
  firstStamp,
  listFilterShape,
  pageOf,
  type RunFilterShape,
  statsOf,
} from '@cairn/core/adapter';
import pg from 'pg';
import { ADAPTER, KIT_OPTIONS } from './postgres-adapter.ts';
import {
  appendedRow,
  type EntryRow,
  entryOf,
  type HeaderRow,
  headerOf,
  insertedRow,
  insertValues,
  type PayloadRow,
  type Payloads,
  patchedPayloads,
  patchMask,
  patchValues,
  payloadsOf,
  pushEntryValues,
  recordOf,
  storedMetadata,
  touchesPayloads,
} from './postgres-rows.ts';
import { migrate, postgresTables } from './postgres-schema.ts';
import { named, namedArrays, prepareStatements, VALUES_ROWS } from './postgres-statements.ts';
import { checkEntries, checkNewRun, checkPatch } from './postgres-values.ts';

/** Options of `createPostgresStore`: a connection string or a `pg.Pool` of your own. */
export type CreatePostgresStoreOptions = (
  | {
      /** `postgres://user:password@host:port/database` (never printed in messages). */
      connectionString: string;
      pool?: never;
      /** Most connections of the store's own pool (default 10). */
      poolSize?: number;
    }
  | {
      /** A pool you own: the store never ends it, and you handle its `error` events. */
      pool: pg.Pool;
      connectionString?: never;
      poolSize?: never;
    }
) & {
  /** Schema of the store's tables, created if missing (default `public`). */
  schema?: string;
  /** Prefix of the store's tables, `/^[A-Za-z_][A-Za-z0-9_]{0,30}$/` (default `cairn_`). */
  tablePrefix?: string;
  /** Largest opaque string (input, output, error, payload) in UTF-8 bytes (default 64 MiB). */
  maxPayloadBytes?: number;
};

// Runs whose payloads (and header) a handle keeps, at most this many (the oldest seen is dropped first).
const PAYLOAD_CACHE_RUNS = 1000;

/** What a handle keeps of a run: its payloads, and the header row they go with when known. */
interface Known {
  payloads: Payloads;
  header: HeaderRow | undefined;
}

function redacted(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `postgres://${url.host}${url.pathname}`;
  } catch {
    return 'postgres://(unparsable connection string)';
  }
}

/**
 * A `DurableStore` in a PostgreSQL database. The schema is created (or migrated) on first use,
 * under an advisory lock, so any number of processes may open it at once.
 *
 * @example
 * const store = createPostgresStore({ connectionString: process.env.DATABASE_URL! });
 * const runtime = createRuntime({ store, workflows: [greet] });
 */
export function createPostgresStore(options: CreatePostgresStoreOptions): DurableStore {
  const tables = postgresTables(options.schema, options.tablePrefix);
  const where =
    options.connectionString === undefined
      ? `pool (schema ${tables.schema})`
      : `${redacted(options.connectionString)} (schema ${tables.schema})`;
  const kit = createAdapterKit({ ...KIT_OPTIONS, location: where, maxPayloadBytes: options.maxPayloadBytes });
  const statements = prepareStatements(tables);
  const ownPool = options.pool === undefined;
  const pool =
    options.pool ??
    new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
    });
  // An idle connection the server dropped must not crash the process: the next call reconnects.
  if (ownPool) pool.on('error', () => {});
  // What this handle last saw of each run (at most PAYLOAD_CACHE_RUNS, the oldest seen dropped
  // first): the payloads with their version, and the header row when it was read or written
  // together with them (its payload_version is theirs).
  const known = new Map<string, Known>();

  // The schema is migrated before the first call reaches the tables; a failed migration is tried
  // again on the next call, so a store opened while the server was down recovers when it is back.
  let readiness: Promise<void> | undefined;
  let isReady = false;
  function ready(): Promise<void> {
    readiness ??= (async () => {
      const client = await pool.connect();
      try {
        await migrate(client, tables);
        client.release();
      } catch (error) {
        client.release(true);
        throw error;
      }
      isReady = true;
    })().catch((error: unknown) => {
      readiness = undefined;
      throw error;
    });
    return readiness;
  }

  function remember(runId: string, payloads: Payloads, header: HeaderRow | undefined): void {
    known.delete(runId);
    const consistent = header !== undefined && Number(header.payload_version) === payloads.payloadVersion;
    known.set(runId, { payloads, header: consistent ? header : undefined });
    if (known.size > PAYLOAD_CACHE_RUNS) known.delete(known.keys().next().value as string);
  }

  async function query<R extends object>(text: string, values: unknown[]): Promise<R[]> {
    if (!isReady) await ready();
    return (await pool.query<R>(named(text, values))).rows;
  }

  async function queryArrays<R extends unknown[]>(text: string, values: unknown[]): Promise<R[]> {
    if (!isReady) await ready();
    return (await pool.query<R>(namedArrays(text, values))).rows;
  }

  // The record after a successful CAS: the returned header, with payloads from the cache when
  // their version says they are current, else read (with their version) from the database.
  async function completed(head: HeaderRow, patch: RunPatch | undefined, mask: number): Promise<RunRecord> {
    const version = Number(head.payload_version);
    const cached = known.get(head.run_id)?.payloads;
    let payloads: Payloads | undefined;
    if (cached?.payloadVersion === version) payloads = cached;
    else if (touchesPayloads(mask) && cached?.payloadVersion === version - 1) payloads = patchedPayloads(cached, patch, version);
    if (!payloads) {
      const [row] = await query<PayloadRow>(statements.selectPayloads, [head.run_id]);
      if (!row) throw kit.notFound(head.run_id);
      payloads = payloadsOf(row);
    }
    remember(head.run_id, payloads, head);
    return recordOf(head, payloads);
  }

  // Why a CAS matched no row: the run is missing, or its token moved.
  async function lostCas(runId: string, what: 'version' | 'lastSeq', expected: number): Promise<never> {
    const [row] = await query<{ version: string; last_seq: string }>(statements.selectTokens, [runId]);
    if (!row) throw kit.notFound(runId);
    known.delete(runId);
    throw conflictError(ADAPTER, runId, what, expected, Number(what === 'version' ? row.version : row.last_seq));
  }

  function filterValues(
    shape: RunFilterShape,
    query: { runIds?: string[]; status?: RunStatus[]; workflow?: string; updatedBefore?: number },
  ): unknown[] {
    const values: unknown[] = [];
    if (shape.runIds) values.push(query.runIds);
    if (shape.status) values.push(query.status);
    if (shape.workflow) values.push(query.workflow);
    if (shape.updatedBefore) values.push(query.updatedBefore);
    return values;
  }

  function rowRecord(row: HeaderRow & PayloadRow): RunRecord {
    const payloads = payloadsOf(row);
    remember(row.run_id, payloads, headerOf(row));
    return recordOf(row, payloads);
  }

  // Arguments arrive validated by the kit (closed check, run ids, counters, payload sizes, patch
  // fields); what is checked here is Postgres's own (ADR 0150: U+0000 in text columns).
  return defineStore(kit, 'postgres', {
    async createRun(record) {
      checkNewRun(record);
      const payloadVersion = firstStamp();
      const values = insertValues(record, payloadVersion);
      const rows = await query(statements.insertRun, values);
      if (rows.length === 0) throw kit.exists(record.runId);
      const { input, output, error, metadata } = record;
      const payloads: Payloads = { payloadVersion, input, output, error, metadata: storedMetadata(metadata) };
      // The stored record: the header columns as the bound values read back, through the same
      // mapping a SELECT uses (only the contract's fields).
      const header = insertedRow(values);
      remember(record.runId, payloads, header);
      return recordOf(header, payloads);
    },

    async getRun(runId) {
      const [row] = await query<HeaderRow & PayloadRow>(statements.selectRun, [runId]);
      return row ? rowRecord(row) : null;
    },

    async updateRun(runId, expectedVersion, patch) {
      checkPatch(runId, patch);
      const mask = patchMask(patch);
      const [head] = await query<HeaderRow>(statements.updateRun(mask), [runId, expectedVersion, ...patchValues(patch, mask)]);
      if (!head) return lostCas(runId, 'version', expectedVersion);
      return completed(head, patch, mask);
    },

    // The returned record is the row as the append left it. When this handle knows the row the
    // append is made on, it sends that row's version and payload_version (as they will read after
    // the append) and the server answers with null when they hold: the row is then the known one
    // with the patch applied, built here. Every write of a header row moves its last_seq (an append
    // has at least one entry) or its version (updateRun), and a run created again under its id
    // starts at a new random payload_version (`firstStamp`), so (payload_version, version,
    // last_seq) names one state of a row: last_seq is checked by the CAS itself, the other two by
    // the server. Otherwise (another handle wrote since, or nothing known) the server returns the
    // whole row as JSON.
    async append(runId, expectedLastSeq, entries, patch) {
      checkEntries(runId, entries);
      checkPatch(runId, patch);
      const mask = patchMask(patch);
      const patchParams = patchValues(patch, mask);
      const touches = touchesPayloads(mask);
      const base = known.get(runId);
      const header = base?.header !== undefined && Number(base.header.last_seq) === expectedLastSeq ? base.header : undefined;
      const payloadVersion = base === undefined ? 0 : base.payloads.payloadVersion + (touches ? 1 : 0);
      const values: unknown[] = [
        runId,
        expectedLastSeq,
        header === undefined ? null : header.version,
        header === undefined ? null : payloadVersion,
      ];
      for (const value of patchParams) values.push(value);
      pushEntryValues(values, entries, VALUES_ROWS);
      const rows = await queryArrays<[string | null]>(statements.append(mask, entries.length), values);
      if (rows.length === 0) return lostCas(runId, 'lastSeq', expectedLastSeq);
      const full = rows[0]![0];
      if (full !== null) return completed(JSON.parse(full) as HeaderRow, patch, mask);
      if (header === undefined || base === undefined) throw new Error('the server confirmed a row this handle does not know');
      const payloads = touches ? patchedPayloads(base.payloads, patch, payloadVersion) : base.payloads;
      const row = appendedRow(header, mask, patchParams, expectedLastSeq + entries.length, payloadVersion);
      remember(runId, payloads, row);
      return recordOf(row, payloads);
    },

    async readEntries(runId, afterSeq, limit) {
      if (!isReady) await ready();
      const result = await pool.query<EntryRow>(namedArrays(statements.readEntries, [runId, afterSeq, limit ?? null]));
      return result.rows.map(entryOf);
    },

    async listRuns(listQuery, limit, position) {
      if (listQuery?.status?.length === 0) return { runs: [] };
      const shape = listFilterShape(listQuery, position);
      const values = filterValues(shape, listQuery ?? {});
      if (position) values.push(position.createdAt, position.runId);
      const rows = await query<HeaderRow & PayloadRow>(statements.listRuns(shape), [...values, limit + 1]);
      return pageOf(rows, limit, rowRecord);
    },

    async deleteRuns(deleteQuery) {
      if (deleteQuery.runIds?.length === 0 || deleteQuery.status?.length === 0) return 0;
      const shape = deleteFilterShape(deleteQuery);
      if (!isReady) await ready();
      // One transaction: deleting the headers locks them, so an append racing the delete waits
      // and then finds no run; the journal rows are deleted after, by a statement that sees
      // every entry committed before the lock.
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const deleted = await client.query<{ run_id: string }>(
          named(statements.deleteHeaders(shape), filterValues(shape, deleteQuery)),
        );
        const ids = deleted.rows.map((row) => row.run_id);
        if (ids.length > 0) {
          await client.query(named(statements.deletePayloads, [ids]));
          await client.query(named(statements.deleteEntries, [ids]));
        }
        await client.query('COMMIT');
        for (const id of ids) known.delete(id);
        return ids.length;
      } catch (error) {
        broken = await client.query('ROLLBACK').then(
          () => false,
          () => true,
        );
        throw error;
      } finally {
        client.release(broken);
      }
    },

    async stats() {
      return statsOf(await query<{ status: RunStatus; count: number }>(statements.countByStatus, []));
    },

    async close() {
      known.clear();
      if (ownPool) await pool.end().catch(() => undefined);
    },
  });
}
