/**
 * The reference adapter: everything in memory, shared through a `MemoryBacking` so that two handles
 * (or a handle opened after another was closed) see the same runs, as two connections to one
 * database would. Records are copied on the way in and out so callers never alias stored state.
 * Built on the adapter kit (`@cairn/core/adapter`): this file is its storage calls only.
 */
import { createAdapterKit, defineStore } from '../adapter/adapter-kit.ts';
import { copyRecord, listFrom, statsOf } from '../adapter/records.ts';
import { matchesDelete } from './helpers.ts';
import type { DurableStore, JournalEntry, RunRecord } from './types.ts';

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
  const { runs, entries } = options.backing ?? createMemoryBacking();
  const kit = createAdapterKit({
    adapter: '@cairn/core memory',
    maxPayloadBytes: options.maxPayloadBytes,
    defaultMaxPayloadBytes: 16 * 1024 * 1024,
  });

  // Every method yields once before touching state (`await null`, then the closed check again), as
  // a real backend would, so races between handles interleave at await points as on a database.

  return defineStore(kit, 'memory', {
    async createRun(record) {
      await null;
      kit.assertOpen();
      if (runs.has(record.runId)) throw kit.exists(record.runId);
      runs.set(record.runId, copyRecord(record));
      entries.set(record.runId, []);
      return copyRecord(record);
    },

    async getRun(runId) {
      await null;
      kit.assertOpen();
      const record = runs.get(runId);
      return record ? copyRecord(record) : null;
    },

    async updateRun(runId, expectedVersion, patch) {
      await null;
      kit.assertOpen();
      const next = copyRecord(kit.updated(runId, runs.get(runId), expectedVersion, patch));
      runs.set(runId, next);
      return copyRecord(next);
    },

    async append(runId, expectedLastSeq, batch, patch) {
      await null;
      kit.assertOpen();
      const next = copyRecord(kit.appended(runId, runs.get(runId), expectedLastSeq, batch.length, patch));
      const journal = entries.get(runId) ?? [];
      let seq = expectedLastSeq;
      for (const { kind, key, payload, createdAt } of batch) journal.push({ kind, key, payload, createdAt, seq: ++seq });
      entries.set(runId, journal);
      runs.set(runId, next);
      return copyRecord(next);
    },

    async readEntries(runId, afterSeq, limit) {
      await null;
      kit.assertOpen();
      // seq is dense and 1-based, so the entry with seq n sits at index n-1.
      const journal = entries.get(runId) ?? [];
      return journal.slice(afterSeq, limit === undefined ? undefined : afterSeq + limit).map((entry) => ({ ...entry }));
    },

    async listRuns(query, limit, position) {
      await null;
      kit.assertOpen();
      return listFrom(runs.values(), query, limit, position);
    },

    async deleteRuns(query) {
      await null;
      kit.assertOpen();
      let deleted = 0;
      for (const run of [...runs.values()]) {
        if (!matchesDelete(run, query)) continue;
        runs.delete(run.runId);
        entries.delete(run.runId);
        deleted++;
      }
      return deleted;
    },

    async stats() {
      await null;
      kit.assertOpen();
      return statsOf(runs.values());
    },

    close() {},
  });
}
