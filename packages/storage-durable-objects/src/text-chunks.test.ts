import { describe, expect, it } from 'vitest';
import { joinChunks, splitText } from './text-chunks.ts';

const ROCK = '\u{1FAA8}'; // one code point, two UTF-16 code units

/** True when `text` survives UTF-8 unchanged (no lone surrogate), as SQLite will store it. */
function wellFormed(text: string): boolean {
  return new TextDecoder().decode(new TextEncoder().encode(text)) === text;
}

describe('splitText', () => {
  it('cuts into pieces of at most maxUnits code units that join back to the input', () => {
    const text = 'abcdefghij'.repeat(7);
    const pieces = splitText(text, 16);
    expect(pieces.map((piece) => piece.length)).toStrictEqual([16, 16, 16, 16, 6]);
    expect(joinChunks(pieces)).toBe(text);
  });

  it('never ends a piece between the two halves of a surrogate pair', () => {
    // The pair sits on units 3-4: a cut at 4 would split it, so the first piece ends at 3.
    const text = `abc${ROCK}defg${ROCK}${ROCK}`;
    const pieces = splitText(text, 4);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(4);
      expect(wellFormed(piece)).toBe(true);
    }
    expect(pieces[0]).toBe('abc');
    expect(joinChunks(pieces)).toBe(text);
  });

  it('keeps text made only of surrogate pairs whole at odd and even sizes', () => {
    const text = ROCK.repeat(11);
    for (const size of [2, 3, 5, 8]) {
      const pieces = splitText(text, size);
      expect(pieces.every((piece) => wellFormed(piece) && piece.length <= size)).toBe(true);
      expect(joinChunks(pieces)).toBe(text);
    }
  });

  it('gives no piece for an empty string and refuses a size that cannot hold a pair', () => {
    expect(splitText('', 8)).toStrictEqual([]);
    expect(() => splitText('abc', 1)).toThrow(RangeError);
  });
});
