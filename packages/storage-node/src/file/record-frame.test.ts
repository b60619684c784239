import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FRAME_HEADER_BYTES, frameShape, probeFrame, sealFrame } from './record-frame.ts';

// The checksum covers the length field and the body: zlib's CRC-32 of those 8 + n bytes, so every
// journal written before the length's part was computed in JS still verifies (ADR 0199).
function zlibChecksum(frame: Buffer): number {
  return crc32(Buffer.concat([frame.subarray(4, 8), frame.subarray(FRAME_HEADER_BYTES)]));
}

describe('record frames', () => {
  it('seal with the CRC-32 of length and body, whatever the length bytes hold', () => {
    let seed = 7;
    const next = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    for (const length of [0, 1, 3, 4, 255, 256, 257, 4_095, 65_535, 65_536, 65_537, 70_001, 16_777_217]) {
      const frame = Buffer.alloc(FRAME_HEADER_BYTES + length);
      for (let index = FRAME_HEADER_BYTES; index < frame.length; index += 97) frame[index] = next() & 0xff;
      sealFrame(frame);
      expect(frame.readUInt32LE(8)).toBe(zlibChecksum(frame));
      expect(probeFrame(frame, 0)).toStrictEqual({ kind: 'frame', bodyStart: FRAME_HEADER_BYTES, end: frame.length });
    }
  });

  it('refuses a frame whose magic, length or body changed', () => {
    const frame = sealFrame(Buffer.from('CRJ1........{"a":1}', 'latin1'));
    for (const [offset, reason] of [
      [0, 'magic'],
      [3, 'magic'],
      [8, 'checksum'],
      [FRAME_HEADER_BYTES + 2, 'checksum'],
    ] as const) {
      const damaged = Buffer.from(frame);
      damaged[offset] = (damaged[offset] ?? 0) ^ 0x01;
      expect(probeFrame(damaged, 0)).toStrictEqual({ kind: 'bad', reason });
    }
    const longer = Buffer.from(frame);
    longer.writeUInt32LE(frame.length - FRAME_HEADER_BYTES + 1, 4);
    expect(probeFrame(longer, 0)).toStrictEqual({ kind: 'short', needed: 1 });
    const shorter = Buffer.concat([frame, frame]);
    shorter.writeUInt32LE(frame.length - FRAME_HEADER_BYTES - 1, 4);
    expect(probeFrame(shorter, 0)).toStrictEqual({ kind: 'bad', reason: 'checksum' });
    expect(frameShape(shorter, 0)).toStrictEqual({ kind: 'frame', bodyStart: FRAME_HEADER_BYTES, end: frame.length - 1 });
  });
});
