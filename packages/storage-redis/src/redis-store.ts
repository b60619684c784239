/**
 * The Redis store: `DurableStore` on one Redis server through ioredis (ADRs 0160, 0161).
 *
 * Invariants:
 * - every mutation is one Lua script: its compare-and-set, journal writes, header writes and index
 *   moves are applied together or not at all, and nothing interleaves with them;
 * - a write is acknowledged only after the server fsync'd it (checked at open and after every
 *   reconnect), unless the user opened with `durability: 'relaxed'`;
 * - a refused call (bad argument, oversize payload, lost CAS) sends nothing that writes;
 * - the store reads no clock: `ttl` is counted by the server from the write that ended the run.
 */
import {
  CorruptJournalError,
  conflictError,
  type DeleteRunsQuery,
  type DurableStore,
  InvalidArgumentError,
  RUN_STATUSES,
  type RunRecord,
} from '@cairn/core';
import { type AdapterKit, createAdapterKit, defineStore, pageOf, statsOf } from '@cairn/core/adapter';
import type { Redis } from 'ioredis';
import { ADAPTER, DEFAULT_MAX_PAYLOAD_BYTES, KIT_OPTIONS, MAX_PAYLOAD_BYTES_CEILING } from './redis-adapter.ts';
import { entryFrame, entryOfFrame, type FieldWrites, fieldWrites, recordOfHash } from './redis-codec.ts';
import { checkPersistence, connect, type RedisConnection, type RedisDurability } from './redis-connection.ts';
import { indexMember, redisKeys } from './redis-keys.ts';
import { createReconnectGate, type ReconnectGate } from './redis-reconnect-gate.ts';
import { runScript, SCRIPTS } from './redis-scripts.ts';
import { checkEntries, checkNewRun, checkPatch } from './redis-values.ts';

/** Options of `createRedisStore`: a connection (the seeds' fields, `url` or `client`) and these. */
export type CreateRedisStoreOptions = RedisConnection & {
  /** Prefix of every key (default `cairn:`). Two stores with one prefix on one db are one store. */
  prefix?: string;
  /** Seconds an ended run (completed, failed, cancelled) is kept after its last write; none by default. */
  ttl?: number;
  /**
   * `fsync-always` (default): refuse to open unless the server runs `appendonly yes` with
   * `appendfsync always`. `relaxed`: open anyway; acknowledged steps may be lost in a server crash.
   */
  durability?: RedisDurability;
  /**
   * Where CONFIG is disabled or renamed (managed services), the operator's word that the server
   * runs `appendonly yes` with `appendfsync always`. Ignored when CONFIG answers: the server wins.
   */
  declaredPersistence?: 'appendfsync-always';
  /** Largest opaque string (input, output, error, payload) in UTF-8 bytes (default 64 MiB). */
  maxPayloadBytes?: number;
};

/** Default and ceiling of `maxPayloadBytes` (the rule is the adapter kit's). */
export { DEFAULT_MAX_PAYLOAD_BYTES, MAX_PAYLOAD_BYTES_CEILING };

// Runs examined per round trip of a listing or delete walk: bounds how long one script blocks the server.
const WALK_BUDGET = 1000;

function resolveOptions(options: CreateRedisStoreOptions): { prefix: string; ttlMs: number } {
  const fail = (what: string): never => {
    throw new InvalidArgumentError(`[${ADAPTER}] ${what}`, { adapter: ADAPTER });
  };
  const prefix = options.prefix ?? 'cairn:';
  if (typeof prefix !== 'string' || prefix.length > 256 || !prefix.isWellFormed())
    fail('prefix must be a well-formed string of at most 256 characters');
  const ttl = options.ttl ?? null;
  if (ttl !== null && (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > 2 ** 31))
    fail(`ttl must be a whole number of seconds from 1 to 2^31 (or absent for no expiry), got ${String(ttl)}`);
  if (options.durability !== undefined && options.durability !== 'fsync-always' && options.durability !== 'relaxed')
    fail(`durability must be 'fsync-always' or 'relaxed', got ${JSON.stringify(String(options.durability).slice(0, 40))}`);
  return { prefix, ttlMs: ttl === null ? 0 : ttl * 1000 };
}

function writeArgs(writes: FieldWrites): string[] {
  return [String(writes.set.length / 2), ...writes.set, String(writes.unset.length), ...writes.unset];
}

/**
 * Open a `DurableStore` on Redis. Resolves once connected and once the server's persistence is
 * checked; rejects with `StorageUnavailableError` naming what is wrong otherwise.
 *
 * @example
 * const store = await createRedisStore({ host: 'localhost', port: 6379, prefix: 'app:', ttl: 86_400 });
 * const runtime = createRuntime({ store, workflows: [greet] });
 */
export async function createRedisStore(options: CreateRedisStoreOptions): Promise<DurableStore> {
  const { prefix, ttlMs } = resolveOptions(options);
  const where = `store ${JSON.stringify(prefix.slice(0, 80))}`;
  const kit = createAdapterKit({ ...KIT_OPTIONS, location: where, maxPayloadBytes: options.maxPayloadBytes });
  const keys = redisKeys(prefix);
  const { client, owned } = await connect(options);
  const persistence = {
    durability: options.durability ?? 'fsync-always',
    declared: options.declaredPersistence === 'appendfsync-always',
  };
  try {
    await checkPersistence(client, persistence, where);
  } catch (error) {
    if (owned) client.disconnect();
    throw error;
  }
  const gate = createReconnectGate({ client, owned, where, recheck: () => checkPersistence(client, persistence, where) });
  return redisStore(client, kit, gate, { keys, ttlMs });
}

function redisStore(
  client: Redis,
  kit: AdapterKit,
  gate: ReconnectGate,
  config: { keys: ReturnType<typeof redisKeys>; ttlMs: number },
): DurableStore {
  const { keys, ttlMs } = config;
  const ttl = String(ttlMs);

  // The outcome of a per-run CAS script: the new header, or the error the contract names.
  function settled(runId: string, reply: unknown, what: 'version' | 'lastSeq', expected: number): RunRecord {
    const [outcome, detail] = reply as [string, string | string[]];
    if (outcome === 'missing') throw kit.notFound(runId);
    if (outcome === 'conflict') throw conflictError(ADAPTER, runId, what, expected, Number(detail));
    if (outcome === 'torn')
      throw new CorruptJournalError(
        `[${ADAPTER}] run "${runId}": the journal holds ${String(detail)} entries but the header says ${expected}; nothing appended`,
        { adapter: ADAPTER, runId },
      );
    return recordOfHash(runId, detail as string[]) as RunRecord;
  }

  async function sweep(): Promise<void> {
    await runScript(client, SCRIPTS.sweep, keys.indexKeys(), [keys.runPrefix, keys.logPrefix]);
  }

  // Walk an index in listing order below `bound`, collecting up to `wanted` matches.
  async function walk(
    filter: { status?: readonly string[]; workflow?: string; updatedBefore?: number },
    bound: string,
    wanted: number,
    idsOnly: boolean,
  ): Promise<{ found: unknown[]; next: string | null }> {
    const only = filter.status?.length === 1 ? filter.status[0] : undefined;
    const index = only === undefined ? keys.all : keys.index(only as RunRecord['status']);
    const statusSet = filter.status && only === undefined ? `,${filter.status.join(',')},` : '';
    const reply = (await runScript(
      client,
      SCRIPTS.walk,
      [index],
      [
        bound,
        WALK_BUDGET,
        wanted,
        keys.runPrefix,
        statusSet,
        filter.workflow === undefined ? '0' : '1',
        filter.workflow ?? '',
        filter.updatedBefore === undefined ? '' : String(filter.updatedBefore),
        idsOnly ? '1' : '0',
      ],
    )) as [unknown[], string | null];
    return { found: reply[0], next: reply[1] ?? null };
  }

  async function deleteRuns(query: DeleteRunsQuery): Promise<number> {
    if (query.runIds?.length === 0 || query.status?.length === 0) return 0;
    await sweep();
    const conditions = [
      keys.runPrefix,
      keys.logPrefix,
      query.status ? `,${query.status.join(',')},` : '',
      query.updatedBefore === undefined ? '' : String(query.updatedBefore),
    ];
    const remove = async (ids: string[]) =>
      ids.length === 0 ? 0 : ((await runScript(client, SCRIPTS.delete, keys.indexKeys(), [...conditions, ...ids])) as number);
    let deleted = 0;
    if (query.runIds) {
      const ids = [...new Set(query.runIds)];
      for (let start = 0; start < ids.length; start += 500) deleted += await remove(ids.slice(start, start + 500));
      return deleted;
    }
    let bound: string | null = '+';
    while (bound !== null) {
      const page = await walk(query, bound, WALK_BUDGET, true);
      deleted += await remove(page.found as string[]);
      bound = page.next;
    }
    return deleted;
  }

  // Arguments arrive validated by the kit (closed check, run ids, counters, payload sizes, patch
  // fields); what is checked here is Redis's own (known statuses and kinds, well-formed text).
  // Every call passes the reconnect gate: nothing is sent before the server's persistence is known.
  return defineStore(kit, 'redis', {
    createRun: (record) =>
      gate.run(async () => {
        checkNewRun(record);
        const member = indexMember(record.createdAt, record.runId);
        const writes = fieldWrites(record, { all: true });
        const created = await runScript(client, SCRIPTS.create, keys.runScriptKeys(record.runId), [
          ttl,
          member,
          ...writeArgs(writes),
        ]);
        if (created === 0) throw kit.exists(record.runId);
        return record;
      }),

    getRun: (runId) => gate.run(async () => recordOfHash(runId, (await client.call('HGETALL', keys.run(runId))) as string[])),

    updateRun: (runId, expectedVersion, patch) =>
      gate.run(async () => {
        checkPatch(runId, patch);
        const reply = await runScript(client, SCRIPTS.update, keys.runScriptKeys(runId), [
          ttl,
          String(expectedVersion),
          ...writeArgs(fieldWrites(patch)),
        ]);
        return settled(runId, reply, 'version', expectedVersion);
      }),

    append: (runId, expectedLastSeq, entries, patch) =>
      gate.run(async () => {
        checkEntries(runId, entries);
        checkPatch(runId, patch);
        const reply = await runScript(client, SCRIPTS.append, keys.runScriptKeys(runId), [
          ttl,
          String(expectedLastSeq),
          String(entries.length),
          ...entries.map(entryFrame),
          ...writeArgs(fieldWrites(patch)),
        ]);
        return settled(runId, reply, 'lastSeq', expectedLastSeq);
      }),

    readEntries: (runId, afterSeq, limit) =>
      gate.run(async () => {
        const last = limit === undefined ? -1 : afterSeq + limit - 1;
        const frames = (await client.call('LRANGE', keys.log(runId), afterSeq, last)) as string[];
        return frames.map((frame, index) => entryOfFrame(frame, afterSeq + index + 1));
      }),

    listRuns: (query, limit, position) =>
      gate.run(async () => {
        if (query?.status?.length === 0) return { runs: [] };
        await sweep();
        const hashes: string[][] = [];
        let bound: string | null = position ? `(${indexMember(position.createdAt, position.runId)}` : '+';
        while (bound !== null && hashes.length <= limit) {
          const page = await walk(query ?? {}, bound, limit + 1 - hashes.length, false);
          hashes.push(...(page.found as string[][]));
          bound = page.next;
        }
        return pageOf(hashes, limit, (flat) => recordOfHash(idOfHash(flat), flat) as RunRecord);
      }),

    deleteRuns: (query) => gate.run(() => deleteRuns(query)),

    stats: () =>
      gate.run(async () => {
        await sweep();
        const counts = (await runScript(client, SCRIPTS.count, RUN_STATUSES.map(keys.index), [])) as number[];
        return statsOf(RUN_STATUSES.map((status, index) => ({ status, count: counts[index] ?? 0 })));
      }),

    close: () => gate.close(),
  });
}

// The run id of an HGETALL reply: its `indexMember` field ends with it.
function idOfHash(flat: readonly string[]): string {
  for (let index = 0; index < flat.length; index += 2)
    if (flat[index] === 'indexMember') return (flat[index + 1] as string).slice(16);
  return '';
}
