/**
 * Reading a run's journal from a SQLite file and checking it is whole, for the end-to-end agent
 * crash tests of this package and of `@cairn/ai-sdk`.
 */
import type { DurableStore, JournalEntry } from '@cairn/core';
import { expect } from 'vitest';
import { createSqliteStore } from '../index.ts';

/** The journal of `runId` in the SQLite file `db`. */
export async function readJournal(db: string, runId: string): Promise<JournalEntry[]> {
  const store: DurableStore = createSqliteStore({ path: db });
  try {
    return await store.readEntries(runId);
  } finally {
    await store.close();
  }
}

/** The journal is whole: dense seqs, one run-end (last), every intent ended, every step recorded once. */
export function expectIntactJournal(entries: JournalEntry[]): void {
  expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
  expect(entries.filter((e) => e.kind === 'run-end')).toHaveLength(1);
  expect(entries.at(-1)?.kind).toBe('run-end');
  const ended = entries.filter((e) => e.kind === 'step-end' || e.kind === 'step-fail').map((e) => e.key);
  expect(new Set(ended).size).toBe(ended.length);
  for (const intent of entries.filter((e) => e.kind === 'step-start')) expect(ended).toContain(intent.key);
}
