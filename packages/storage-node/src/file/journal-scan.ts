/**
 * Walking a journal file frame by frame, and telling a torn tail from corruption (ADR 0034).
 *
 * The file is frames back to back, then zeros up to its end (space allocated ahead, ADR 0031).
 * A crash during a write can leave the last frame short, or with garbage; that append never
 * returned, so the frame is ignored (and cut off by the next writer). A bad frame followed by a
 * valid one is a different thing: committed data was damaged, and the run must not be read as if
 * it were shorter. So at a bad frame the scanner looks for any valid frame after it: found means
 * `CorruptJournalError` naming the run and the byte offset, not found means a torn tail.
 */
import { CorruptJournalError } from '@cairn/core';
import { ADAPTER } from '../shared/adapter.ts';
import { readAt } from './fs-util.ts';
import { FRAME_HEADER_BYTES, FRAME_MAGIC, hasMagic, probeFrame } from './record-frame.ts';

const WINDOW_BYTES = 4 * 1024 * 1024;

/** Random access to a file's bytes through one read-ahead window (sequential scans read 4 MiB at a time). */
export interface ByteSource {
  readonly size: number;
  /** Bytes [offset, offset + length), fewer at end of file. */
  bytes(offset: number, length: number): Buffer;
}

/** A `ByteSource` over a file, which can hand over the bytes it read. */
export interface FileSource extends ByteSource {
  /** The file's first `end` bytes when one read holds them all (a file of at most 4 MiB), else `null`. */
  prefix(end: number): Buffer | null;
}

/** True when a `fileSource` of `size` bytes reads the whole file at once. */
export function readsWhole(size: number): boolean {
  return size <= WINDOW_BYTES;
}

/** A `ByteSource` over the first `size` bytes of the open file `fd`. */
export function fileSource(fd: number, size: number): FileSource {
  let window: Buffer = Buffer.alloc(0);
  let windowStart = 0;
  return {
    size,
    prefix: (end) => (windowStart === 0 && window.length >= end ? window : null),
    bytes(offset, length) {
      const wanted = Math.min(length, size - offset);
      if (wanted <= 0) return Buffer.alloc(0);
      if (offset >= windowStart && offset + wanted <= windowStart + window.length) {
        return window.subarray(offset - windowStart, offset - windowStart + wanted);
      }
      window = readAt(fd, offset, Math.min(Math.max(wanted, WINDOW_BYTES), size - offset));
      windowStart = offset;
      return window.subarray(0, Math.min(wanted, window.length));
    },
  };
}

/** A whole frame as found by the scanner: `buffer[bodyStart, bodyEnd)` is its body. */
export interface FoundFrame {
  offset: number;
  end: number;
  buffer: Buffer;
  bodyStart: number;
  bodyEnd: number;
}

type Probe = { ok: true; frame: FoundFrame } | { ok: false; reason: string };

function probeAt(source: ByteSource, offset: number, head = source.bytes(offset, FRAME_HEADER_BYTES)): Probe {
  if (head.length < FRAME_HEADER_BYTES) return { ok: false, reason: 'short frame header' };
  if (!hasMagic(head, 0)) return { ok: false, reason: 'bad frame magic' };
  const total = FRAME_HEADER_BYTES + head.readUInt32LE(4);
  const buffer = source.bytes(offset, total);
  const probe = probeFrame(buffer, 0);
  if (probe.kind === 'short') return { ok: false, reason: 'frame runs past the end of the file' };
  if (probe.kind === 'bad') return { ok: false, reason: probe.reason === 'magic' ? 'bad frame magic' : 'checksum mismatch' };
  return { ok: true, frame: { offset, end: offset + probe.end, buffer, bodyStart: probe.bodyStart, bodyEnd: probe.end } };
}

/** True when `buffer` holds only zero bytes. */
export function isZero(buffer: Buffer): boolean {
  for (let index = 0; index < buffer.length; index++) if (buffer[index] !== 0) return false;
  return buffer.length > 0;
}

/** Offset of the first valid frame at or after `from`, or -1. */
function nextValidFrame(source: ByteSource, from: number): number {
  for (let position = from; position < source.size; ) {
    const chunk = source.bytes(position, WINDOW_BYTES);
    for (let index = chunk.indexOf(FRAME_MAGIC); index !== -1; index = chunk.indexOf(FRAME_MAGIC, index + 1)) {
      // `chunk` stays valid when probeAt moves the window: it keeps its own buffer alive.
      if (probeAt(source, position + index).ok) return position + index;
    }
    if (chunk.length < WINDOW_BYTES) break;
    // Keep 3 bytes of overlap so a magic split across two chunks is still found.
    position += chunk.length - (FRAME_MAGIC.length - 1);
  }
  return -1;
}

/** The error for damage at `offset` of run `runId`'s journal. */
export function corruptAt(runId: string, offset: number, reason: string): CorruptJournalError {
  return new CorruptJournalError(
    `[${ADAPTER}] run "${runId}": journal is corrupt at byte offset ${offset} (${reason}); other runs are not affected`,
  );
}

/**
 * Bytes after the last frame that are not a frame: a torn write (returns normally) or damage
 * followed by valid frames (throws). `committedEnd` is where known-durable data ends (the header
 * checkpoint): anything bad before it is damage whatever follows.
 */
function classifyBad(source: ByteSource, offset: number, committedEnd: number, runId: string, reason: string): void {
  if (offset < committedEnd) throw corruptAt(runId, offset, `${reason} inside checkpointed data`);
  if (nextValidFrame(source, offset + 1) !== -1) throw corruptAt(runId, offset, `${reason}, followed by valid records`);
}

/** How a scan ended. */
export interface ScanEnd {
  /** End of the last whole frame. */
  validEnd: number;
  /** What follows it: nothing, zeros (allocated space; verified only when asked), or a torn write. */
  tail: 'none' | 'zeros' | 'torn';
}

/**
 * Visit every frame from `start` until the end of `source` or the first zero frame header. With
 * `verifyZeros`, zeros must run to the end of the file (a full load does this once; a refresh
 * trusts what the writers keep: after the frames, zeros or a torn write).
 */
export function scanFrames(
  source: ByteSource,
  start: number,
  committedEnd: number,
  runId: string,
  verifyZeros: boolean,
  visit: (frame: FoundFrame) => void,
): ScanEnd {
  let offset = start;
  while (offset < source.size) {
    const head = source.bytes(offset, FRAME_HEADER_BYTES);
    if (isZero(head)) {
      if (!verifyZeros) return { validEnd: offset, tail: 'zeros' };
      const garbage = firstNonZero(source, offset);
      if (garbage === -1) return { validEnd: offset, tail: 'zeros' };
      classifyBad(source, garbage, committedEnd, runId, 'unexpected bytes after the last record');
      return { validEnd: offset, tail: 'torn' };
    }
    const probe = probeAt(source, offset, head);
    if (!probe.ok) {
      classifyBad(source, offset, committedEnd, runId, probe.reason);
      return { validEnd: offset, tail: 'torn' };
    }
    visit(probe.frame);
    offset = probe.frame.end;
  }
  return { validEnd: offset, tail: 'none' };
}

const ZEROS = Buffer.alloc(64 * 1024);

function firstNonZero(source: ByteSource, from: number): number {
  for (let position = from; position < source.size; ) {
    const chunk = source.bytes(position, ZEROS.length);
    if (chunk.length === 0) break;
    // Compare whole blocks with zeros (native speed); walk bytes only in the block that differs.
    if (!chunk.equals(ZEROS.subarray(0, chunk.length))) {
      for (let index = 0; index < chunk.length; index++) if (chunk[index] !== 0) return position + index;
    }
    position += chunk.length;
  }
  return -1;
}
