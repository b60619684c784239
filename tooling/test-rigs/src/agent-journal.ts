/**
 * Reading a run's journal from a SQLite file and checking it is whole, for the end-to-end agent
 * crash tests of `@cairn/storage-node` and `@cairn/ai-sdk`.
 */
import type { DurableStore, JournalEntry } from '@cairn/core';
import { expect } from 'vitest';

/** The journal of `runId` in the store `open()` opens (closed afterwards), e.g. a SQLite file. */
export async function readJournal(open: () => DurableStore, runId: string): Promise<JournalEntry[]> {
  const store = open();
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
