/**
 * The reference adapter: everything in memory, shared through a `MemoryBacking` so that two handles
 * (or a handle opened after another was closed) see the same runs, as two connections to one
 * database would. Records are cloned on the way in and out so callers never alias stored state.
 */
import { RunExistsError, StorageUnavailableError } from '../errors.ts';
import {
  applyPatch,
  assertAppendArguments,
  assertDeleteQuery,
  assertPatchFields,
  assertPayloadSizes,
  assertUpdateArguments,
  compareListOrder,
  conflictError,
  decodeCursor,
  emptyStats,
  encodeCursor,
  initialRecord,
  isAfter,
  listLimit,
  matchesDelete,
  matchesList,
  notFoundError,
  readRange,
} from './helpers.ts';
import { assertRunId } from './run-id.ts';
import type { DurableStore, JournalEntry, RunPatch, RunRecord } from './types.ts';

// Records hold strings, numbers, booleans, null and four small nested objects: a typed copy is
// exact and an order of magnitude cheaper than structuredClone on the per-step path.
function cloneRecord(record: RunRecord): RunRecord {
  return {
    ...record,
    lease: record.lease && { ...record.lease },
    usage: { ...record.usage },
    step: { ...record.step },
    forkedFrom: record.forkedFrom && { ...record.forkedFrom },
    metadata: record.metadata && { ...record.metadata },
  };
}

function clonePatch(patch: RunPatch): RunPatch {
  const copy: RunPatch = { ...patch };
  if (patch.lease) copy.lease = { ...patch.lease };
  if (patch.usage) copy.usage = { ...patch.usage };
  if (patch.step) copy.step = { ...patch.step };
  if (patch.forkedFrom) copy.forkedFrom = { ...patch.forkedFrom };
  if (patch.metadata) copy.metadata = { ...patch.metadata };
  return copy;
}

const ADAPTER = '@cairn/core memory';

/** The storage behind one or more memory store handles. */
export interface MemoryBacking {
  readonly runs: Map<string, RunRecord>;
  readonly entries: Map<string, JournalEntry[]>;
}

/** Options of `createMemoryStore`. */
export interface CreateMemoryStoreOptions {
  /** Share storage with other handles; a fresh backing when omitted. */
  backing?: MemoryBacking;
  /** Largest payload accepted, in UTF-8 bytes (default 16 MiB). */
  maxPayloadBytes?: number;
}

/** A new, empty backing for memory stores. */
export function createMemoryBacking(): MemoryBacking {
  return { runs: new Map(), entries: new Map() };
}

/**
 * A `DurableStore` in memory. Durable only as long as the backing lives: use it for tests, demos and
 * short-lived processes.
 *
 * @example
 * const store = createMemoryStore();
 * const runtime = createRuntime({ store, workflows: [greet] });
 */
export function createMemoryStore(options: CreateMemoryStoreOptions = {}): DurableStore {
  const backing = options.backing ?? createMemoryBacking();
  const maxPayloadBytes = options.maxPayloadBytes ?? 16 * 1024 * 1024;
  let closed = false;

  // Every method yields once before touching state, as a real backend would, so races between
  // handles interleave at await points just as they do on a database.
  async function open(): Promise<void> {
    await Promise.resolve();
    if (closed) throw new StorageUnavailableError(`[${ADAPTER}] store is closed`);
  }

  return {
    name: 'memory',
    limits: { maxPayloadBytes },

    async createRun(run) {
      await open();
      const record = initialRecord(run, ADAPTER);
      assertPayloadSizes(ADAPTER, run.runId, maxPayloadBytes, record);
      if (backing.runs.has(run.runId)) throw new RunExistsError(`[${ADAPTER}] run "${run.runId}" already exists`);
      backing.runs.set(run.runId, cloneRecord(record));
      backing.entries.set(run.runId, []);
      return cloneRecord(record);
    },

    async getRun(runId) {
      await open();
      assertRunId(runId, ADAPTER);
      const record = backing.runs.get(runId);
      return record ? cloneRecord(record) : null;
    },

    async updateRun(runId, expectedVersion, patch) {
      await open();
      assertUpdateArguments(ADAPTER, runId, expectedVersion);
      assertPayloadSizes(ADAPTER, runId, maxPayloadBytes, patch);
      assertPatchFields(ADAPTER, runId, patch);
      const record = backing.runs.get(runId);
      if (!record) throw notFoundError(ADAPTER, runId);
      if (record.version !== expectedVersion) throw conflictError(ADAPTER, runId, 'version', expectedVersion, record.version);
      const next = { ...applyPatch(record, clonePatch(patch)), version: record.version + 1 };
      backing.runs.set(runId, next);
      return cloneRecord(next);
    },

    async append(runId, expectedLastSeq, entries, patch) {
      await open();
      assertAppendArguments(ADAPTER, runId, expectedLastSeq, entries);
      assertPayloadSizes(ADAPTER, runId, maxPayloadBytes, patch, entries);
      assertPatchFields(ADAPTER, runId, patch);
      const record = backing.runs.get(runId);
      if (!record) throw notFoundError(ADAPTER, runId);
      if (record.lastSeq !== expectedLastSeq) throw conflictError(ADAPTER, runId, 'lastSeq', expectedLastSeq, record.lastSeq);
      const journal = backing.entries.get(runId) ?? [];
      for (const [index, entry] of entries.entries()) {
        journal.push({
          kind: entry.kind,
          key: entry.key,
          payload: entry.payload,
          createdAt: entry.createdAt,
          seq: expectedLastSeq + index + 1,
        });
      }
      backing.entries.set(runId, journal);
      const next = { ...applyPatch(record, patch && clonePatch(patch)), lastSeq: expectedLastSeq + entries.length };
      backing.runs.set(runId, next);
      return cloneRecord(next);
    },

    async readEntries(runId, readOptions = {}) {
      await open();
      const { afterSeq, limit } = readRange(ADAPTER, runId, readOptions);
      const journal = backing.entries.get(runId) ?? [];
      // seq is dense and 1-based, so the entry with seq n sits at index n-1.
      return journal.slice(afterSeq, limit === undefined ? undefined : afterSeq + limit).map((entry) => ({ ...entry }));
    },

    async listRuns(query) {
      await open();
      const limit = listLimit(query, ADAPTER);
      const position = query?.cursor === undefined ? undefined : decodeCursor(query.cursor, ADAPTER);
      const matching = [...backing.runs.values()]
        .filter((run) => matchesList(run, query) && (!position || isAfter(run, position)))
        .sort(compareListOrder);
      const page = matching.slice(0, limit).map(cloneRecord);
      const last = page[page.length - 1];
      return matching.length > limit && last ? { runs: page, cursor: encodeCursor(last) } : { runs: page };
    },

    async deleteRuns(query) {
      await open();
      assertDeleteQuery(query, ADAPTER);
      let deleted = 0;
      for (const run of [...backing.runs.values()]) {
        if (!matchesDelete(run, query)) continue;
        backing.runs.delete(run.runId);
        backing.entries.delete(run.runId);
        deleted++;
      }
      return deleted;
    },

    async stats() {
      await open();
      const stats = emptyStats();
      for (const run of backing.runs.values()) {
        stats.total++;
        stats.byStatus[run.status]++;
      }
      return stats;
    },

    async close() {
      closed = true;
    },
  };
}
