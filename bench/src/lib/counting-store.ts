/**
 * A `DurableStore` wrapper that counts what the engine asks of the store: writes (createRun,
 * updateRun, append), reads, entries, and logical bytes — the UTF-8 bytes of the opaque strings
 * handed over (entry payloads, and the run's input, output and error). It changes nothing.
 */
import type { DurableStore, NewEntry, NewRun, RunPatch } from '@cairn/core';

/** Running totals of a counting store. */
export interface StoreCounts {
  createRun: number;
  updateRun: number;
  append: number;
  /** Entries appended (an append may carry several). */
  entries: number;
  getRun: number;
  readEntries: number;
  listRuns: number;
  /** UTF-8 bytes of payload / input / output / error strings passed to the store. */
  logicalBytes: number;
}

/** A wrapped store and its counters. */
export interface CountingStore {
  store: DurableStore;
  counts: StoreCounts;
  /** A copy of the counters now. */
  snapshot(): StoreCounts;
  /** Called after each append resolved, with the entries it carried. */
  onAppend?: (entries: readonly NewEntry[], patch: RunPatch | undefined) => void;
}

const encoder = new TextEncoder();

function textBytes(text: string | null | undefined): number {
  return typeof text === 'string' ? encoder.encode(text).length : 0;
}

function patchBytes(patch: RunPatch | NewRun | undefined): number {
  if (!patch) return 0;
  return textBytes(patch.input) + textBytes(patch.output) + textBytes(patch.error);
}

/** Total writes (createRun + updateRun + append) in `counts`. */
export function writesOf(counts: StoreCounts): number {
  return counts.createRun + counts.updateRun + counts.append;
}

/** Wrap `inner` so every call is counted. */
export function countingStore(inner: DurableStore): CountingStore {
  const counts: StoreCounts = {
    createRun: 0,
    updateRun: 0,
    append: 0,
    entries: 0,
    getRun: 0,
    readEntries: 0,
    listRuns: 0,
    logicalBytes: 0,
  };
  const wrapper: CountingStore = {
    counts,
    snapshot: () => ({ ...counts }),
    store: {
      name: inner.name,
      limits: inner.limits,
      createRun(run) {
        counts.createRun++;
        counts.logicalBytes += patchBytes(run);
        return inner.createRun(run);
      },
      getRun(runId) {
        counts.getRun++;
        return inner.getRun(runId);
      },
      updateRun(runId, expectedVersion, patch) {
        counts.updateRun++;
        counts.logicalBytes += patchBytes(patch);
        return inner.updateRun(runId, expectedVersion, patch);
      },
      async append(runId, expectedLastSeq, entries, patch) {
        counts.append++;
        counts.entries += entries.length;
        for (const entry of entries) counts.logicalBytes += textBytes(entry.payload);
        counts.logicalBytes += patchBytes(patch);
        const record = await inner.append(runId, expectedLastSeq, entries, patch);
        wrapper.onAppend?.(entries, patch);
        return record;
      },
      readEntries(runId, options) {
        counts.readEntries++;
        return inner.readEntries(runId, options);
      },
      listRuns(query) {
        counts.listRuns++;
        return inner.listRuns(query);
      },
      deleteRuns: (query) => inner.deleteRuns(query),
      stats: () => inner.stats(),
      close: () => inner.close(),
    },
  };
  return wrapper;
}
