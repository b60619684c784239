/**
 * Making run content safe to print (ADR 0029). Outputs, errors, names and keys come from models,
 * tools and other programs; printed raw, an ESC sequence clears or retitles the operator's
 * terminal or plants a link, a carriage return or newline fakes a line, a bidi override reorders
 * what is read. Every such character is shown visibly instead: `\x1b`, `\r`, `\n`, `\u202e`.
 *
 * Invariants:
 * - `displayText` leaves no C0 (newline and tab included), DEL, C1 or bidi control in its result;
 * - `safeLine` is the last guard on every line the CLI writes: it lets through only newlines
 *   (between lines of help and JSON) and the exact colour codes of `style.ts`;
 * - `jsonText` is valid JSON holding no raw C1, DEL, bidi, U+2028 or U+2029 character.
 */

// One class for everything a terminal may act on: C0, DEL, C1, bidi embeddings/overrides/isolates,
// and the line and paragraph separators. Spelled from char codes: control characters in a regex
// literal read as typos.
const range = (from: number, to: number) => `${String.fromCharCode(from)}-${String.fromCharCode(to)}`;
const CONTROL_CLASS = `${range(0, 0x1f)}${range(0x7f, 0x9f)}${range(0x202a, 0x202e)}${range(0x2066, 0x2069)}\u2028\u2029`;
const CONTROL = new RegExp(`[${CONTROL_CLASS}]`, 'g');
const NAMED: Record<string, string> = { '\r': '\\r', '\n': '\\n', '\t': '\\t' };

function visible(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  return code <= 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every control character shown as an escape (`\x1b`, `\r`, `\u202e`). */
export function displayText(text: string): string {
  return text.replace(CONTROL, visible);
}

/**
 * A copy of `value` with `displayText` applied to every string in it (plain objects and arrays are
 * walked; numbers, booleans, null pass as they are). Apply it to whatever a store or runtime
 * returned before formatting it for a human.
 */
export function forDisplay<T>(value: T): T {
  if (typeof value === 'string') return displayText(value) as T;
  if (Array.isArray(value)) return value.map(forDisplay) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [displayText(key), forDisplay(field)])) as T;
  }
  return value;
}

// The colour codes style.ts writes, and nothing else: `ESC [ <digits> m`.
const OWN_SGR = new RegExp(`${String.fromCharCode(27)}\\[(?:1|2|22|31|32|33|36|39)m`, 'y');

/** The last guard before a terminal: escape every control character except newlines and our own colours. */
export function safeLine(text: string): string {
  let out = '';
  let last = 0;
  CONTROL.lastIndex = 0;
  for (let match = CONTROL.exec(text); match !== null; match = CONTROL.exec(text)) {
    const at = match.index;
    const char = match[0];
    if (char === '\n') continue;
    OWN_SGR.lastIndex = at;
    const own = OWN_SGR.exec(text);
    out += text.slice(last, at);
    if (own) {
      out += own[0];
      last = at + own[0].length;
      CONTROL.lastIndex = last;
    } else {
      out += visible(char);
      last = at + 1;
    }
  }
  return out + text.slice(last);
}

const JSON_UNSAFE = new RegExp(`[${range(0x7f, 0x9f)}${range(0x202a, 0x202e)}${range(0x2066, 0x2069)}\u2028\u2029]`, 'g');

/**
 * `JSON.stringify(value, null, 2)` with the characters it leaves raw (DEL, C1, bidi controls,
 * U+2028/2029) written as `\uXXXX` escapes: still the same JSON value, never acted on by a terminal.
 */
export function jsonText(value: unknown, indent = 2): string {
  return (JSON.stringify(value, null, indent) ?? 'null').replace(
    JSON_UNSAFE,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
