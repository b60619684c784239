/**
 * How a run record maps onto the fields of its Redis hash, and a journal entry onto one list
 * element. Every record field is one hash field named like it; `null` is an absent field, so a
 * patch that sets `null` deletes the field. Nested fields are JSON text; numbers are their
 * shortest round-trip text. Lua reads only `status`, `version`, `lastSeq`, `updatedAt` and
 * `indexMember`; everything else is opaque to the server.
 */
import type { JournalEntry, NewEntry, RunPatch, RunRecord } from '@cairn/core';

type Codec = { encode(value: unknown): string; decode(text: string): unknown };
const text: Codec = { encode: (value) => value as string, decode: (value) => value };
const number: Codec = { encode: (value) => String(value), decode: (value) => Number(value) };
const json: Codec = { encode: (value) => JSON.stringify(value), decode: (value) => JSON.parse(value) };
const flag: Codec = { encode: (value) => (value ? '1' : '0'), decode: (value) => value === '1' };

// Every field of a record, with its codec. Fields absent from the hash read back as null.
const FIELDS: Record<Exclude<keyof RunRecord, 'runId'>, Codec> = {
  workflow: text,
  status: text,
  pauseReason: text,
  wakeAt: number,
  version: number,
  lastSeq: number,
  lease: json,
  input: text,
  output: text,
  error: text,
  usage: json,
  step: json,
  cancelRequested: flag,
  forkedFrom: json,
  metadata: json,
  expiresAt: number,
  attempt: number,
  createdAt: number,
  updatedAt: number,
};

// Fields a patch can never move: the store owns the counters, the rest never change.
const FIXED = new Set(['runId', 'workflow', 'version', 'lastSeq', 'createdAt']);

/** The hash writes of a patch: fields to set (name, value, name, value…) and fields to delete. */
export interface FieldWrites {
  set: string[];
  unset: string[];
}

/** The writes that store `fields` (a new record, or a patch: undefined keeps, null unsets). */
export function fieldWrites(fields: Partial<RunRecord> | RunPatch | undefined, options: { all?: boolean } = {}): FieldWrites {
  const writes: FieldWrites = { set: [], unset: [] };
  if (!fields) return writes;
  for (const [field, codec] of Object.entries(FIELDS)) {
    const value = (fields as Record<string, unknown>)[field];
    if (value === undefined || (!options.all && FIXED.has(field))) continue;
    if (value === null) writes.unset.push(field);
    else writes.set.push(field, codec.encode(value));
  }
  return writes;
}

/** The record a hash holds, from HGETALL's flat reply (`null` for an empty reply: no run). */
export function recordOfHash(runId: string, flat: readonly string[]): RunRecord | null {
  if (flat.length === 0) return null;
  const record: Record<string, unknown> = { runId };
  for (const field of Object.keys(FIELDS)) record[field] = null;
  for (let index = 0; index < flat.length; index += 2) {
    const field = flat[index] as keyof typeof FIELDS;
    const codec = FIELDS[field];
    if (codec) record[field] = codec.decode(flat[index + 1] as string);
  }
  record.attempt ??= 1;
  return record as unknown as RunRecord;
}

/**
 * One journal element: `kind \n createdAt \n keyLength \n key payload`. The key length (UTF-16
 * units) makes the frame unambiguous whatever the key and payload hold (newlines, NUL, braces).
 */
export function entryFrame(entry: NewEntry): string {
  return `${entry.kind}\n${entry.createdAt}\n${entry.key.length}\n${entry.key}${entry.payload}`;
}

/** The entry element `frame` holds at `seq`. */
export function entryOfFrame(frame: string, seq: number): JournalEntry {
  const first = frame.indexOf('\n');
  const second = frame.indexOf('\n', first + 1);
  const third = frame.indexOf('\n', second + 1);
  const keyStart = third + 1;
  const keyEnd = keyStart + Number(frame.slice(second + 1, third));
  return {
    seq,
    kind: frame.slice(0, first) as JournalEntry['kind'],
    key: frame.slice(keyStart, keyEnd),
    payload: frame.slice(keyEnd),
    createdAt: Number(frame.slice(first + 1, second)),
  };
}
