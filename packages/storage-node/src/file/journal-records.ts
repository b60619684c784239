/**
 * Bodies of the file store's records. A body is a JSON "meta" part followed by raw UTF-8 payload
 * bytes, so entry payloads (the bulk of a journal) are written as they are, never escaped into JSON
 * and never parsed when a journal is only scanned:
 *
 *   meta length (u32 LE) | meta JSON | payload bytes of each entry, back to back
 *
 * Record types (ADR 0031): `c` creates the run (always the journal's first record), `a` appends
 * entries with the append's patch, `u` is an `updateRun` (the new version and its patch), `h` is
 * the header checkpoint (a folded record and the journal offset it covers; header file only).
 */
import { type JournalEntry, type NewEntry, PayloadTooLargeError, type RunPatch, type RunRecord } from '@cairn/core';
import { ADAPTER } from '../shared/adapter.ts';
import { FRAME_HEADER_BYTES, MAX_FRAME_BODY_BYTES, sealFrame } from './record-frame.ts';

/** A decoded record (payloads of appended entries are not decoded here: see `decodeEntries`). */
export type JournalRecord =
  | { type: 'create'; run: RunRecord }
  | { type: 'append'; firstSeq: number; count: number; patch: RunPatch | undefined; metas: readonly EntryMeta[] }
  | { type: 'update'; version: number; patch: RunPatch }
  | { type: 'header'; offset: number; run: RunRecord };

/** What an append record's meta says of one of its entries (the payload follows the meta). */
export type EntryMeta = [kind: string, key: string, createdAt: number, bytes: number];

function frameOf(runId: string, meta: object, payloads: readonly string[] = [], payloadBytes: readonly number[] = []): Buffer {
  const json = JSON.stringify(meta);
  const metaBytes = Buffer.byteLength(json);
  let bodyBytes = 4 + metaBytes;
  for (const bytes of payloadBytes) bodyBytes += bytes;
  if (bodyBytes > MAX_FRAME_BODY_BYTES) {
    throw new PayloadTooLargeError(
      `[${ADAPTER}] run "${runId}": one write of ${bodyBytes} bytes exceeds the file store's record limit of 4 GiB`,
    );
  }
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + bodyBytes);
  frame.writeUInt32LE(metaBytes, FRAME_HEADER_BYTES);
  let position = FRAME_HEADER_BYTES + 4;
  position += frame.write(json, position, 'utf8');
  payloads.forEach((payload, index) => {
    position += frame.write(payload, position, payloadBytes[index] ?? 0, 'utf8');
  });
  return sealFrame(frame);
}

/** The frame creating `run`. */
export function encodeCreate(run: RunRecord): Buffer {
  return frameOf(run.runId, { t: 'c', r: run });
}

/** The frame appending `entries` from `firstSeq`, with the append's patch. */
export function encodeAppend(runId: string, firstSeq: number, entries: readonly NewEntry[], patch: RunPatch | undefined): Buffer {
  const bytes = entries.map((entry) => Buffer.byteLength(entry.payload));
  const meta: EntryMeta[] = entries.map((entry, index) => [entry.kind, entry.key, entry.createdAt, bytes[index]!]);
  return frameOf(
    runId,
    patch === undefined ? { t: 'a', s: firstSeq, e: meta } : { t: 'a', s: firstSeq, e: meta, p: patch },
    entries.map((entry) => entry.payload),
    bytes,
  );
}

/** The frame of an `updateRun` that moved the run to `version`. */
export function encodeUpdate(runId: string, version: number, patch: RunPatch): Buffer {
  return frameOf(runId, { t: 'u', v: version, p: patch });
}

/** The header checkpoint frame: `run` as folded from the journal's first `offset` bytes. */
export function encodeHeader(offset: number, run: RunRecord): Buffer {
  return frameOf(run.runId, { t: 'h', o: offset, r: run });
}

function metaOf(buffer: Buffer, bodyStart: number, end: number): { meta: Record<string, unknown>; rawStart: number } {
  if (end - bodyStart < 4) throw new Error('body shorter than its meta length');
  const metaBytes = buffer.readUInt32LE(bodyStart);
  const rawStart = bodyStart + 4 + metaBytes;
  if (rawStart > end) throw new Error('meta runs past the record');
  const meta = JSON.parse(buffer.toString('utf8', bodyStart + 4, rawStart)) as unknown;
  if (typeof meta !== 'object' || meta === null) throw new Error('meta is not an object');
  return { meta: meta as Record<string, unknown>, rawStart };
}

function isCount(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}

function isRecord(value: unknown): value is RunRecord {
  const run = value as RunRecord | null;
  return typeof run === 'object' && run !== null && typeof run.runId === 'string' && isCount(run.version) && isCount(run.lastSeq);
}

function entryMetas(meta: Record<string, unknown>, rawBytes: number): EntryMeta[] {
  const entries = meta.e;
  if (!Array.isArray(entries) || entries.length === 0) throw new Error('append without entries');
  let total = 0;
  for (const entry of entries as EntryMeta[]) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'string' || !isCount(entry[3])) {
      throw new Error('malformed entry');
    }
    total += entry[3];
  }
  if (total !== rawBytes) throw new Error('payload bytes do not add up');
  return entries as EntryMeta[];
}

/** Decode the record whose body is `buffer[bodyStart, end)`; throws a plain `Error` if malformed. */
export function decodeRecord(buffer: Buffer, bodyStart: number, end: number): JournalRecord {
  const { meta, rawStart } = metaOf(buffer, bodyStart, end);
  const patch = meta.p as RunPatch | undefined;
  if (patch !== undefined && (typeof patch !== 'object' || patch === null)) throw new Error('malformed patch');
  switch (meta.t) {
    case 'c':
      if (!isRecord(meta.r)) throw new Error('malformed run');
      return { type: 'create', run: meta.r };
    case 'a': {
      if (!isCount(meta.s) || meta.s < 1) throw new Error('malformed first seq');
      const metas = entryMetas(meta, end - rawStart);
      return { type: 'append', firstSeq: meta.s, count: metas.length, patch, metas };
    }
    case 'u':
      if (!isCount(meta.v) || patch === undefined) throw new Error('malformed update');
      return { type: 'update', version: meta.v, patch };
    case 'h':
      if (!isCount(meta.o) || !isRecord(meta.r)) throw new Error('malformed header');
      return { type: 'header', offset: meta.o, run: meta.r };
    default:
      throw new Error('unknown record type');
  }
}

// In JSON.stringify's output a quote inside a string is always escaped, so `,"p":` — a comma right
// before an unescaped quote — is structural; in an append meta (`{"t","s","e","p"}`, whose `e`
// holds only arrays of strings and numbers) its first occurrence is the patch key.
const PATCH_KEY = ',"p":';

/**
 * The meta of an append record without its patch (reading entries needs `s` and `e` only): the
 * text before the patch key, closed, parsed; anything else falls back to the whole meta.
 */
function entriesMetaOf(buffer: Buffer, bodyStart: number, end: number): { meta: Record<string, unknown>; rawStart: number } {
  if (end - bodyStart < 4) throw new Error('body shorter than its meta length');
  const rawStart = bodyStart + 4 + buffer.readUInt32LE(bodyStart);
  if (rawStart > end) throw new Error('meta runs past the record');
  const text = buffer.toString('utf8', bodyStart + 4, rawStart);
  const cut = text.indexOf(PATCH_KEY);
  if (cut !== -1) {
    try {
      const meta = JSON.parse(`${text.slice(0, cut)}}`) as Record<string, unknown> | null;
      if (meta !== null && typeof meta === 'object' && Array.isArray(meta.e)) return { meta, rawStart };
    } catch {
      // Not the shape this file writes: parse it whole below.
    }
  }
  return metaOf(buffer, bodyStart, end);
}

/** The entries of the append record whose body is `buffer[bodyStart, end)`. */
export function decodeEntries(buffer: Buffer, bodyStart: number, end: number): JournalEntry[] {
  const { meta, rawStart } = entriesMetaOf(buffer, bodyStart, end);
  const firstSeq = meta.s as number;
  let position = rawStart;
  return entryMetas(meta, end - rawStart).map(([kind, key, createdAt, bytes], index) => {
    const payload = buffer.toString('utf8', position, position + bytes);
    position += bytes;
    return { seq: firstSeq + index, kind: kind as JournalEntry['kind'], key, payload, createdAt };
  });
}

/**
 * Where the payloads of the record whose body starts at `buffer[bodyStart]` begin; for a record
 * already decoded from these very bytes (`decodeRecord` checked the meta length then).
 */
export function payloadStart(buffer: Buffer, bodyStart: number): number {
  return bodyStart + 4 + buffer.readUInt32LE(bodyStart);
}
