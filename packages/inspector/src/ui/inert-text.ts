/**
 * Content made inert for display: C0 and C1 control characters (ESC of ANSI colours and OSC 8
 * hyperlinks and title changes, BEL, backspace…), DEL, and the bidi overrides and isolates that
 * reorder what a reader sees are replaced by their escaped form (`\x1b`, `\u202e`), so they show as
 * characters and do nothing. Newlines and tabs stay.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters to neutralize
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

function escaped(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every control and bidi character shown as its escape. */
export function inert(text: string): string {
  return text.replace(CONTROLS, escaped);
}
