/**
 * Splitting long strings into pieces that each fit in one SQLite row, and joining them back.
 * Invariant: a surrogate pair is never split, because workerd stores text as UTF-8 and would turn
 * each half into U+FFFD; `joinChunks(splitText(s, n))` is `s` for every well-formed `s`.
 */

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Split `text` into pieces of at most `maxUnits` UTF-16 code units, never inside a surrogate pair. */
export function splitText(text: string, maxUnits: number): string[] {
  if (maxUnits < 2) throw new RangeError('maxUnits must be at least 2');
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + maxUnits, text.length);
    // Ending on a high surrogate would cut the pair in two: end one unit earlier instead.
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end--;
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

/** Join pieces from `splitText`. */
export function joinChunks(pieces: readonly string[]): string {
  return pieces.join('');
}
