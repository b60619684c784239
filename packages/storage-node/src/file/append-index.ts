/**
 * Where each append record of a journal sits, in the order of the file: its byte range and the
 * seqs it holds. Kept compact because a cached journal keeps it for as long as the run is open —
 * three numbers per record in one growable `Float64Array` (a 10 000-step journal: ~240 KB, where
 * one object per record cost more than twice that).
 *
 * Invariants:
 * - records are added in file order, and their seqs are dense: record i holds
 *   `[firstSeq(i), firstSeq(i) + count(i))` and record i + 1 starts right after (the fold checks it);
 * - offsets and seqs are exact integers below 2^53.
 */

/** The append records of one journal. */
export interface AppendIndex {
  readonly length: number;
  /** Add the record at `[offset, end)` holding `count` entries from `firstSeq`. */
  add(offset: number, end: number, firstSeq: number, count: number): void;
  offset(index: number): number;
  end(index: number): number;
  firstSeq(index: number): number;
  count(index: number): number;
  /** Index of the first record holding a seq above `afterSeq`; `length` when there is none. */
  firstAfter(afterSeq: number): number;
}

const FIELDS = 3;

/** An empty index. */
export function createAppendIndex(): AppendIndex {
  let slots = new Float64Array(FIELDS * 16);
  let length = 0;
  // One past the last seq held (the count of the last record is `nextSeq - firstSeq`).
  let nextSeq = 0;
  const firstSeq = (index: number): number => slots[index * FIELDS + 2]!;
  return {
    get length() {
      return length;
    },
    add(offset, end, first, count) {
      if ((length + 1) * FIELDS > slots.length) {
        const grown = new Float64Array(Math.ceil(slots.length * 1.5) + FIELDS);
        grown.set(slots);
        slots = grown;
      }
      slots[length * FIELDS] = offset;
      slots[length * FIELDS + 1] = end;
      slots[length * FIELDS + 2] = first;
      length++;
      nextSeq = first + count;
    },
    offset: (index) => slots[index * FIELDS]!,
    end: (index) => slots[index * FIELDS + 1]!,
    firstSeq,
    count: (index) => (index + 1 < length ? firstSeq(index + 1) : nextSeq) - firstSeq(index),
    firstAfter(afterSeq) {
      if (length === 0 || nextSeq - 1 <= afterSeq) return length;
      let low = 0;
      let high = length - 1;
      // The first record whose last seq is above afterSeq.
      while (low < high) {
        const middle = (low + high) >> 1;
        const lastSeq = (middle + 1 < length ? firstSeq(middle + 1) : nextSeq) - 1;
        if (lastSeq > afterSeq) high = middle;
        else low = middle + 1;
      }
      return low;
    },
  };
}
