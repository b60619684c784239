/**
 * Reading a cached journal's entries (`readEntries`): one ranged read of the append records
 * holding the seqs asked for, decoded without a second checksum pass (ADR 0195), and, for the
 * first read after a load, without parsing any record meta again (ADR 0199).
 *
 * Invariants:
 * - every frame was checksummed once by this handle (load or refresh) before its entries are
 *   returned; bytes read again are trusted only as far as they are shown to be those bytes;
 * - a record the load kept is decoded only if the bytes just read equal, byte for byte, the bytes
 *   the load checksummed and decoded its metas from; any other record is found again by shape
 *   (magic, length, the place the index says) and its meta decoded, first seq and count checked;
 * - what a load keeps is used by the first read after it and dropped by that read, whatever it
 *   asked for; a handle keeps it for one journal at most (`journal-cache.ts`).
 */
import type { JournalEntry } from '@cairn/core';
import { readAt } from './fs-util.ts';
import { decodeEntries, type EntryMeta, payloadStart } from './journal-records.ts';
import { corruptAt } from './journal-scan.ts';
import { FRAME_HEADER_BYTES, frameShape } from './record-frame.ts';
import type { RunJournal } from './run-journal.ts';

/** Entry metas of a journal's first append records as its load decoded them, one slot per seq. */
export interface KeptMetas {
  /** Append records covered: index entries `0 .. records - 1`. */
  records: number;
  /** Seq of the first slot. */
  firstSeq: number;
  // Flat arrays, not one object per entry: kept across the load, so every object here is one more
  // for the garbage collector to copy (ADR 0199).
  readonly kinds: string[];
  readonly keys: string[];
  readonly createdAts: number[];
  /** UTF-8 bytes of each payload. */
  readonly sizes: number[];
}

/** What a load keeps for the first read: the file's bytes as checksummed and the metas decoded from them. */
export interface LoadedFrames {
  /** The journal file from offset 0, holding at least every record `metas` covers. */
  readonly bytes: Buffer;
  readonly metas: KeptMetas;
}

/** No metas yet. */
export function createKeptMetas(): KeptMetas {
  return { records: 0, firstSeq: 0, kinds: [], keys: [], createdAts: [], sizes: [] };
}

/** Keep the metas of the next append record (seqs from `firstSeq`, dense after the ones kept). */
export function keepMetas(kept: KeptMetas, firstSeq: number, metas: readonly EntryMeta[]): void {
  if (kept.records === 0) kept.firstSeq = firstSeq;
  kept.records++;
  for (let index = 0; index < metas.length; index++) {
    const meta = metas[index]!;
    kept.kinds.push(meta[0]);
    kept.keys.push(meta[1]);
    kept.createdAts.push(meta[2]);
    kept.sizes.push(meta[3]);
  }
}

const CHANGED = 'record changed on disk after it was verified';

/** Entries with seq in (afterSeq, afterSeq + limit], read in one ranged read. */
export function readJournalEntries(journal: RunJournal, afterSeq: number, limit: number | undefined): JournalEntry[] {
  const lastWanted = limit === undefined ? journal.record.lastSeq : Math.min(journal.record.lastSeq, afterSeq + limit);
  const appends = journal.appends;
  const loaded = journal.loaded;
  // Kept for the first read, whatever it asks for.
  journal.loaded = null;
  if (afterSeq >= lastWanted) return [];
  const low = appends.firstAfter(afterSeq);
  if (low === appends.length) return [];
  let last = low;
  while (last + 1 < appends.length && appends.firstSeq(last + 1) <= lastWanted) last++;
  const start = appends.offset(low);
  const buffer = readAt(journal.fd, start, appends.end(last) - start);
  const entries: JournalEntry[] = [];
  const after = loaded ? readKept(journal, loaded, buffer, low, last, afterSeq, lastWanted, entries) : low;
  for (let index = after; index <= last; index++) {
    const offset = appends.offset(index);
    const end = appends.end(index) - start;
    const probe = frameShape(buffer.subarray(0, end), offset - start);
    if (probe.kind !== 'frame' || probe.end !== end) throw corruptAt(journal.runId, offset, CHANGED);
    let decoded: JournalEntry[];
    try {
      decoded = decodeEntries(buffer, probe.bodyStart, probe.end);
    } catch {
      // Never echo the parser's message: it may quote payload text.
      throw corruptAt(journal.runId, offset, CHANGED);
    }
    if (decoded[0]?.seq !== appends.firstSeq(index) || decoded.length !== appends.count(index))
      throw corruptAt(journal.runId, offset, CHANGED);
    for (const entry of decoded) {
      if (entry.seq > afterSeq && entry.seq <= lastWanted) entries.push(entry);
    }
  }
  return entries;
}

/**
 * Push onto `into` the wanted entries of records `low ..` that the load kept, decoded from
 * `buffer` (the file read again from record `low`); returns the first record it did not read.
 */
function readKept(
  journal: RunJournal,
  loaded: LoadedFrames,
  buffer: Buffer,
  low: number,
  last: number,
  afterSeq: number,
  lastWanted: number,
  into: JournalEntry[],
): number {
  const { appends, runId } = journal;
  const metas = loaded.metas;
  const through = Math.min(last, metas.records - 1);
  if (through < low) return low;
  const start = appends.offset(low);
  const end = appends.end(through);
  if (buffer.length < end - start || buffer.compare(loaded.bytes, start, end, 0, end - start) !== 0) {
    // Name the first record that changed (bytes between append records are not read here).
    for (let index = low; index <= through; index++) {
      const offset = appends.offset(index);
      const recordEnd = appends.end(index);
      if (
        buffer.length < recordEnd - start ||
        buffer.compare(loaded.bytes, offset, recordEnd, offset - start, recordEnd - start) !== 0
      )
        throw corruptAt(runId, offset, CHANGED);
    }
  }
  for (let index = low; index <= through; index++) {
    let position = payloadStart(buffer, appends.offset(index) - start + FRAME_HEADER_BYTES);
    const first = appends.firstSeq(index);
    for (let seq = first; seq < first + appends.count(index); seq++) {
      const slot = seq - metas.firstSeq;
      const size = metas.sizes[slot]!;
      if (seq > afterSeq && seq <= lastWanted) {
        const kind = metas.kinds[slot] as JournalEntry['kind'];
        const payload = buffer.toString('utf8', position, position + size);
        into.push({ seq, kind, key: metas.keys[slot]!, payload, createdAt: metas.createdAts[slot]! });
      }
      position += size;
    }
  }
  return through + 1;
}
