/**
 * Reading and damaging file-store journals by hand in tests. Frames are parsed here independently
 * of the store's code (magic "CRJ1", u32 LE body length, u32 checksum, body), so a test's idea of
 * where records sit does not come from the code under test.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Path of `runId`'s journal in the file store at `dir`. */
export function journalPathOf(dir: string, runId: string): string {
  return join(dir, 'runs', runId, 'journal');
}

/** Byte ranges of the frames at the start of a journal file (stops at the first non-frame). */
export function frameRanges(path: string): { offset: number; end: number }[] {
  const bytes = readFileSync(path);
  const frames: { offset: number; end: number }[] = [];
  for (let offset = 0; offset + 12 <= bytes.length && bytes.toString('latin1', offset, offset + 4) === 'CRJ1'; ) {
    const end = offset + 12 + bytes.readUInt32LE(offset + 4);
    if (end > bytes.length) break;
    frames.push({ offset, end });
    offset = end;
  }
  return frames;
}

/** Replace `path`'s content by its first `length` bytes. */
export function cutFile(path: string, length: number): void {
  writeFileSync(path, readFileSync(path).subarray(0, length));
}

/** Flip the bits of the byte at `offset`. */
export function flipByte(path: string, offset: number): void {
  const bytes = readFileSync(path);
  bytes[offset] = (bytes[offset] ?? 0) ^ 0xff;
  writeFileSync(path, bytes);
}
