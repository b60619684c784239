import { describe, expect, it } from 'vitest';
import { decodeEntries, decodeRecord, encodeAppend } from './journal-records.ts';
import { FRAME_HEADER_BYTES } from './record-frame.ts';

const hostile = [',"p":', '\\",\\"p\\":{}]', '"}],"p":{"x":1}}', '\u001b[2J', 'é', '\\'];

describe('journal records: reading entries without the patch', () => {
  it('decodes the same entries as the whole meta, whatever the keys, payloads and patch hold', () => {
    for (const text of hostile) {
      const entries = [
        { kind: 'step-end' as const, key: `k${text}#0`, payload: `{"v":${JSON.stringify(text)}}`, createdAt: 1 },
        { kind: 'signal-receive' as const, key: text, payload: text, createdAt: 2 },
      ];
      for (const patch of [undefined, { updatedAt: 5, step: { index: 1, name: text } }, { metadata: { p: text } }]) {
        const frame = encodeAppend('run-1', 7, entries, patch as never);
        const decoded = decodeEntries(frame, FRAME_HEADER_BYTES, frame.length);
        expect(decoded).toStrictEqual(entries.map((entry, index) => ({ ...entry, seq: 7 + index })));
        const record = decodeRecord(frame, FRAME_HEADER_BYTES, frame.length);
        const metas = entries.map((entry) => [entry.kind, entry.key, entry.createdAt, Buffer.byteLength(entry.payload)]);
        expect(record).toStrictEqual({ type: 'append', firstSeq: 7, count: 2, patch, metas });
      }
    }
  });

  it('falls back to the whole meta when the patch comes first (another writer order)', () => {
    const frame = encodeAppend('run-1', 3, [{ kind: 'step-end', key: 'a#0', payload: '{}', createdAt: 1 }], { updatedAt: 2 });
    const body = frame.subarray(FRAME_HEADER_BYTES);
    const metaBytes = body.readUInt32LE(0);
    const meta = JSON.parse(body.toString('utf8', 4, 4 + metaBytes)) as Record<string, unknown>;
    const reordered = Buffer.from(JSON.stringify({ t: meta.t, p: meta.p, s: meta.s, e: meta.e }));
    const rebuilt = Buffer.alloc(4 + reordered.length + (body.length - 4 - metaBytes));
    rebuilt.writeUInt32LE(reordered.length, 0);
    reordered.copy(rebuilt, 4);
    body.copy(rebuilt, 4 + reordered.length, 4 + metaBytes);
    expect(decodeEntries(rebuilt, 0, rebuilt.length)).toStrictEqual([
      { seq: 3, kind: 'step-end', key: 'a#0', payload: '{}', createdAt: 1 },
    ]);
  });
});
