/**
 * How a run is laid out: its header in `runs` (small, rewritten by every append) and its opaque
 * texts in `texts` (written only when they change), so a step costs O(1) bytes however large the
 * run's input is. These helpers take object stores of a transaction already open and only issue
 * requests on them: they never await anything else.
 */
import { CorruptJournalError, type RunRecord } from '@cairn/core';
import type { IDBPObjectStore, StoreNames } from 'idb';
import type { CairnDatabase, StoredHead, StoredText, TextField } from './schema.ts';
import { ADAPTER } from './storage-errors.ts';

type AnyStores = ArrayLike<StoreNames<CairnDatabase>>;
type Store<Name extends StoreNames<CairnDatabase>, Mode extends IDBTransactionMode> = IDBPObjectStore<
  CairnDatabase,
  AnyStores,
  Name,
  Mode
>;

/** The object stores a run spans, from one transaction. */
export interface RunStores<Mode extends IDBTransactionMode> {
  runs: Store<'runs', Mode>;
  texts: Store<'texts', Mode>;
}

const TEXT_FIELDS: readonly TextField[] = ['input', 'output', 'error'];

// Array keys sort after every string and number, so [runId] .. [runId, []] spans every key that
// starts with runId (and nothing of a run whose id merely starts with it).
/** Every key of run `runId` in a store keyed [runId, …]. */
export function runRange(runId: string): IDBKeyRange {
  return IDBKeyRange.bound([runId], [runId, []]);
}

/** The header of `record`, without its texts, as stored with `stamp`. */
export function headOf(record: RunRecord, stamp: number): StoredHead {
  const { input: _input, output: _output, error: _error, ...head } = record;
  return { ...head, stamp };
}

/** The stamp of a stored header (0 for one written before schema version 3). */
export function stampOf(head: StoredHead): number {
  return head.stamp ?? 0;
}

/** The texts of a run, by field. */
export type RunTexts = Record<TextField, string | null>;

/** The run of `head` with its stored texts (the stamp left out). */
export function joinRun(head: StoredHead, texts: readonly StoredText[]): RunRecord {
  const byField = new Map(texts.map((stored) => [stored.field, stored.text]));
  const input = byField.get('input');
  if (input === undefined) {
    throw new CorruptJournalError(`[${ADAPTER}] run "${head.runId}": its input is missing from the database`);
  }
  return withTexts(head, { input, output: byField.get('output') ?? null, error: byField.get('error') ?? null });
}

/** The run of `head` with `texts` (the stamp left out). */
export function withTexts(stored: StoredHead, texts: RunTexts): RunRecord {
  const { stamp: _stamp, ...head } = stored;
  return {
    ...head,
    // Runs written before these fields existed read back as null.
    metadata: head.metadata ?? null,
    expiresAt: head.expiresAt ?? null,
    attempt: head.attempt ?? 1,
    input: texts.input ?? '',
    output: texts.output,
    error: texts.error,
  };
}

/** A run as read: the record and the stamp of its header. */
export interface ReadRun {
  record: RunRecord;
  stamp: number;
}

/** Read run `runId` (header and texts in parallel), or `undefined` when it does not exist. */
export async function readRun(stores: RunStores<IDBTransactionMode>, runId: string): Promise<ReadRun | undefined> {
  const [head, texts] = await Promise.all([stores.runs.get(runId), stores.texts.getAll(runRange(runId))]);
  return head && { record: joinRun(head, texts), stamp: stampOf(head) };
}

/** Read the texts of each header and join them, in order. */
export async function readRuns(texts: Store<'texts', IDBTransactionMode>, heads: readonly StoredHead[]): Promise<RunRecord[]> {
  const stored = await Promise.all(heads.map((head) => texts.getAll(runRange(head.runId))));
  return heads.map((head, index) => joinRun(head, stored[index] ?? []));
}

/**
 * Write the header of `record` with `stamp`, and those of its texts named in `changed` (every text
 * when omitted): a `null` text is deleted, a string is put.
 */
export function writeRun(
  stores: RunStores<'readwrite'>,
  record: RunRecord,
  stamp: number,
  changed?: Partial<Record<TextField, unknown>>,
): Promise<unknown>[] {
  const writes: Promise<unknown>[] = [stores.runs.put(headOf(record, stamp))];
  for (const field of TEXT_FIELDS) {
    if (changed && changed[field] === undefined) continue;
    const text = record[field];
    writes.push(
      text === null ? stores.texts.delete([record.runId, field]) : stores.texts.put({ runId: record.runId, field, text }),
    );
  }
  return writes;
}
