/**
 * The frame of every record the file store writes (journal records and the header checkpoint):
 *
 *   magic "CRJ1" (4 bytes) | body length (u32 LE) | CRC-32 of length + body (u32 LE) | body
 *
 * A record is written with one `write` call, so after a crash the file ends either with whole
 * frames or with one torn frame (short, or whose checksum does not match: ADR 0034). The magic lets
 * a reader look for valid frames after a bad one, which is how it tells a torn tail from a
 * corrupt middle.
 */
import { crc32 } from 'node:zlib';

/** Bytes before the body. */
export const FRAME_HEADER_BYTES = 12;

/** The four magic bytes. */
export const FRAME_MAGIC = Buffer.from('CRJ1', 'latin1');

const MAGIC_WORD = FRAME_MAGIC.readUInt32LE(0);

/** True when the 4 bytes at `offset` of `buffer` (which must hold them) are the frame magic. */
export function hasMagic(buffer: Buffer, offset: number): boolean {
  // One integer compare: a load checks every frame, and `Buffer.compare` costs a native call each.
  return buffer.readUInt32LE(offset) === MAGIC_WORD;
}

/** Largest body a frame can hold (u32 length). */
export const MAX_FRAME_BODY_BYTES = 0xffff_ffff;

/** Fill in magic, length and checksum of `frame`, whose body starts at `FRAME_HEADER_BYTES`. */
export function sealFrame(frame: Buffer): Buffer {
  FRAME_MAGIC.copy(frame, 0);
  frame.writeUInt32LE(frame.length - FRAME_HEADER_BYTES, 4);
  frame.writeUInt32LE(frameChecksum(frame, 0, frame.length - FRAME_HEADER_BYTES), 8);
  return frame;
}

// CRC-32 (the zlib one) of the 4 length bytes at `offset`, in JS: one native call per frame, not two.
const CRC_TABLE = Int32Array.from({ length: 256 }, (_, byte) => {
  let value = byte;
  for (let bit = 0; bit < 8; bit++) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
  return value;
});

function lengthChecksum(buffer: Buffer, offset: number): number {
  let value = -1;
  for (let index = offset; index < offset + 4; index++) value = CRC_TABLE[(value ^ buffer[index]!) & 0xff]! ^ (value >>> 8);
  return ~value >>> 0;
}

function frameChecksum(buffer: Buffer, offset: number, bodyLength: number): number {
  const start = offset + FRAME_HEADER_BYTES;
  return crc32(buffer.subarray(start, start + bodyLength), lengthChecksum(buffer, offset + 4));
}

/** What is at `offset` of `buffer`. */
export type FrameProbe =
  | { kind: 'frame'; bodyStart: number; end: number }
  /** `needed` more bytes would be needed to tell (the frame runs past the buffer). */
  | { kind: 'short'; needed: number }
  | { kind: 'bad'; reason: 'magic' | 'checksum' };

/**
 * The frame that should start at `offset` of `buffer`, checked for shape only (magic and length,
 * not the checksum): for bytes this handle has already verified and only needs to find again.
 */
export function frameShape(buffer: Buffer, offset: number): FrameProbe {
  if (buffer.length - offset < FRAME_HEADER_BYTES)
    return { kind: 'short', needed: FRAME_HEADER_BYTES - (buffer.length - offset) };
  if (!hasMagic(buffer, offset)) return { kind: 'bad', reason: 'magic' };
  const end = offset + FRAME_HEADER_BYTES + buffer.readUInt32LE(offset + 4);
  if (end > buffer.length) return { kind: 'short', needed: end - buffer.length };
  return { kind: 'frame', bodyStart: offset + FRAME_HEADER_BYTES, end };
}

/** Check the frame that should start at `offset` of `buffer` (which ends at `buffer.length`): shape and checksum. */
export function probeFrame(buffer: Buffer, offset: number): FrameProbe {
  const shape = frameShape(buffer, offset);
  if (shape.kind !== 'frame') return shape;
  if (buffer.readUInt32LE(offset + 8) !== frameChecksum(buffer, offset, shape.end - shape.bodyStart))
    return { kind: 'bad', reason: 'checksum' };
  return shape;
}
