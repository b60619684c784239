import { describe, expect, it } from 'vitest';
import { inert } from '../ui/inert-text.ts';
import { bearerToken, newAccessToken, tokenMatches } from './access-token.ts';

describe('access token', () => {
  it('is 43 base64url characters, new each time, and matches only itself', () => {
    const token = newAccessToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newAccessToken()).not.toBe(token);
    expect(tokenMatches(token, token)).toBe(true);
    expect(tokenMatches(`${token}x`, token)).toBe(false);
    expect(tokenMatches(token.slice(0, -1), token)).toBe(false);
    expect(tokenMatches('', token)).toBe(false);
  });

  it('is read from a bearer header only', () => {
    expect(bearerToken('Bearer abc_-1')).toBe('abc_-1');
    expect(bearerToken(undefined)).toBeNull();
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken('Bearer abc def')).toBeNull();
    expect(bearerToken(`Bearer ${'a'.repeat(201)}`)).toBeNull();
  });
});

describe('inert text', () => {
  it('shows terminal escapes, bidi controls and other controls as escapes, keeping newlines and tabs', () => {
    expect(inert('\u001b[31mred\u001b[0m')).toBe('\\x1b[31mred\\x1b[0m');
    expect(inert('\u001b]8;;https://x\u0007a\u001b]8;;\u0007')).toBe('\\x1b]8;;https://x\\x07a\\x1b]8;;\\x07');
    expect(inert('a\u202eb\u2066c\u009bd\u007f')).toBe('a\\u202eb\\u2066c\\x9bd\\x7f');
    expect(inert('line\n\tnext')).toBe('line\n\tnext');
    expect(inert('<script>')).toBe('<script>');
  });
});
