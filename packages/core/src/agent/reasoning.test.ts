// Reasoning parts as journaled: text kept, provider metadata kept only as plain JSON objects.
import { describe, expect, it } from 'vitest';
import { normalizeReasoning } from './reasoning.ts';

describe('normalizeReasoning', () => {
  it('keeps text and JSON provider metadata, drops malformed parts and metadata', () => {
    expect(normalizeReasoning(undefined)).toBeUndefined();
    expect(normalizeReasoning('thinking')).toBeUndefined();
    expect(normalizeReasoning([])).toBeUndefined();
    expect(normalizeReasoning([null, { text: 42 }, 'x'])).toBeUndefined();
    expect(
      normalizeReasoning([
        { text: 'a\u0000b', providerMetadata: { anthropic: { signature: 'sig', when: new Date(0) } } },
        { text: 'c', providerMetadata: { anthropic: 'not an object' } },
        { text: 'd', providerMetadata: [1, 2] },
        { text: 'e', extra: 'dropped' },
      ]),
    ).toEqual([
      { text: 'a\u0000b', providerMetadata: { anthropic: { signature: 'sig', when: '1970-01-01T00:00:00.000Z' } } },
      { text: 'c' },
      { text: 'd' },
      { text: 'e' },
    ]);
  });
});
