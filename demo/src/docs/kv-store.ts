// kv-store.ts — a complete DurableStore over a string key-value map, built on the adapter kit.
import type { DurableStore, JournalEntry, RunRecord } from '@cairn/core';
import { copyRecord, createAdapterKit, defineStore, listFrom, matchesDelete, statsOf } from '@cairn/core/adapter';

/**
 * The "database": string keys to string values. Two stores over one map are two connections to one
 * database. Every store call below is synchronous, so it is a transaction: nothing interleaves.
 */
export type KeyValueMap = Map<string, string>;

/** Options of `createKvStore`. */
export interface CreateKvStoreOptions {
  kv: KeyValueMap;
  /** Largest input, output, error or entry payload, in UTF-8 bytes (default 1 MiB). */
  maxPayloadBytes?: number;
}

// The layout: `run/<id>` holds the run's record as JSON, `entry/<id>/<seq>` one journal entry.
const runKey = (runId: string) => `run/${runId}`;
const entryKey = (runId: string, seq: number) => `entry/${runId}/${seq}`;

/**
 * A `DurableStore` in a key-value map: the kit checks arguments, the closed state and payload sizes,
 * compares the CAS tokens and maps errors; this file only reads and writes keys.
 *
 * @example
 * const store = createKvStore({ kv: new Map() });
 */
export function createKvStore(options: CreateKvStoreOptions): DurableStore {
  const { kv } = options;
  const kit = createAdapterKit({
    adapter: '@acme/cairn-kv',
    maxPayloadBytes: options.maxPayloadBytes,
    defaultMaxPayloadBytes: 1024 * 1024,
  });

  function readRun(runId: string): RunRecord | null {
    const text = kv.get(runKey(runId));
    return text === undefined ? null : (JSON.parse(text) as RunRecord);
  }

  function* allRuns(): Generator<RunRecord> {
    for (const [key, text] of kv) if (key.startsWith('run/')) yield JSON.parse(text) as RunRecord;
  }

  // JSON text is a copy already: nothing returned aliases what the map holds.
  const writeRun = (record: RunRecord) => kv.set(runKey(record.runId), JSON.stringify(record));

  return defineStore(kit, 'kv', {
    createRun(record) {
      if (kv.has(runKey(record.runId))) throw kit.exists(record.runId);
      writeRun(record);
      return copyRecord(record);
    },

    getRun: readRun,

    updateRun(runId, expectedVersion, patch) {
      const next = kit.updated(runId, readRun(runId), expectedVersion, patch);
      writeRun(next);
      return copyRecord(next);
    },

    append(runId, expectedLastSeq, entries, patch) {
      const next = kit.appended(runId, readRun(runId), expectedLastSeq, entries.length, patch);
      let seq = expectedLastSeq;
      for (const { kind, key, payload, createdAt } of entries) {
        seq++;
        kv.set(entryKey(runId, seq), JSON.stringify({ seq, kind, key, payload, createdAt }));
      }
      writeRun(next);
      return copyRecord(next);
    },

    readEntries(runId, afterSeq, limit) {
      const lastSeq = readRun(runId)?.lastSeq ?? 0;
      const until = limit === undefined ? lastSeq : Math.min(lastSeq, afterSeq + limit);
      const entries: JournalEntry[] = [];
      for (let seq = afterSeq + 1; seq <= until; seq++) {
        entries.push(JSON.parse(kv.get(entryKey(runId, seq)) as string) as JournalEntry);
      }
      return entries;
    },

    // A real database walks an index newest first and stops after `limit + 1` rows (see `pageOf`).
    listRuns: (query, limit, position) => listFrom(allRuns(), query, limit, position),

    deleteRuns(query) {
      let deleted = 0;
      for (const run of [...allRuns()]) {
        if (!matchesDelete(run, query)) continue;
        for (let seq = 1; seq <= run.lastSeq; seq++) kv.delete(entryKey(run.runId, seq));
        kv.delete(runKey(run.runId));
        deleted++;
      }
      return deleted;
    },

    stats: () => statsOf(allRuns()),

    // Nothing to release: the kit refuses every call after close.
    close() {},
  });
}
