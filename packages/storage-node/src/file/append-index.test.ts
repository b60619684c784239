import { describe, expect, it } from 'vitest';
import { createAppendIndex } from './append-index.ts';

describe('append index', () => {
  it('answers like a list of records, across growth, for every afterSeq', () => {
    const index = createAppendIndex();
    expect(index.length).toBe(0);
    expect(index.firstAfter(0)).toBe(0);
    const records: { offset: number; end: number; firstSeq: number; count: number }[] = [];
    let offset = 0;
    let seq = 1;
    for (let n = 0; n < 500; n++) {
      const count = (n % 3) + 1;
      // Gaps between records stand for update records, which hold no entries.
      const record = { offset, end: offset + 40 + n, firstSeq: seq, count };
      records.push(record);
      index.add(record.offset, record.end, record.firstSeq, record.count);
      offset = record.end + (n % 2) * 25;
      seq += count;
    }
    // Offsets beyond 4 GiB stay exact.
    index.add(2 ** 40, 2 ** 40 + 12, seq, 2);
    records.push({ offset: 2 ** 40, end: 2 ** 40 + 12, firstSeq: seq, count: 2 });
    expect(index.length).toBe(records.length);
    records.forEach((record, at) => {
      expect([index.offset(at), index.end(at), index.firstSeq(at), index.count(at)]).toStrictEqual([
        record.offset,
        record.end,
        record.firstSeq,
        record.count,
      ]);
    });
    for (let afterSeq = 0; afterSeq <= seq + 3; afterSeq++) {
      const expected = records.findIndex((record) => record.firstSeq + record.count - 1 > afterSeq);
      expect(index.firstAfter(afterSeq), `afterSeq ${afterSeq}`).toBe(expected === -1 ? records.length : expected);
    }
  });
});
