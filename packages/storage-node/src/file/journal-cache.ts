/**
 * The journals one store handle keeps open: at most `capacity`, least recently used closed first.
 * A cached journal is only ever used after `refreshJournal` has compared it with the file, so
 * another process's writes, deletions and re-creations are always seen. Of the bytes loads keep
 * for a first read (ADR 0199), only the latest load's are kept: one journal's worth per handle.
 */
import { closeSync } from 'node:fs';
import { loadJournal, type RunJournal, refreshJournal } from './run-journal.ts';
import type { StoreLayout } from './store-layout.ts';

/** Open journals of one handle. */
export interface JournalCache {
  /** The run's journal, up to date with the file; `null` when the run does not exist. */
  current(runId: string): RunJournal | null;
  /** The cached journal of `runId` without comparing it with the file (the caller knows it is current). */
  peek(runId: string): RunJournal | undefined;
  /** True when `runId`'s journal is open in this cache. */
  has(runId: string): boolean;
  /** Forget (and close) a run's journal: after a failed write, or when the run is deleted. */
  drop(runId: string): void;
  closeAll(): void;
}

/** A cache of at most `capacity` open journals over `layout`. */
export function createJournalCache(layout: StoreLayout, capacity = 64): JournalCache {
  const open = new Map<string, RunJournal>();
  // The journal whose load bytes are kept, if any.
  let keeping: RunJournal | null = null;

  function drop(runId: string): void {
    const journal = open.get(runId);
    if (!journal) return;
    open.delete(runId);
    if (keeping === journal) keeping = null;
    try {
      closeSync(journal.fd);
    } catch {
      // Closing can only fail for a descriptor that is already unusable.
    }
  }

  return {
    current(runId) {
      const cached = open.get(runId);
      if (cached) {
        let state: ReturnType<typeof refreshJournal>;
        try {
          state = refreshJournal(layout, cached);
        } catch (error) {
          drop(runId);
          throw error;
        }
        if (state === 'fresh') {
          // Re-insert: Map order is the LRU order.
          open.delete(runId);
          open.set(runId, cached);
          return cached;
        }
        drop(runId);
        if (state === 'missing') return null;
      }
      const loaded = loadJournal(layout, runId);
      if (loaded) {
        if (keeping) keeping.loaded = null;
        keeping = loaded.loaded ? loaded : null;
        open.set(runId, loaded);
        if (open.size > capacity) drop(open.keys().next().value as string);
      }
      return loaded;
    },
    peek(runId) {
      const cached = open.get(runId);
      if (cached) {
        open.delete(runId);
        open.set(runId, cached);
      }
      return cached;
    },
    has: (runId) => open.has(runId),
    drop,
    closeAll() {
      for (const runId of [...open.keys()]) drop(runId);
    },
  };
}
