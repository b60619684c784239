// The hand-written agent input check (no zod at run time): what it accepts and hostile shapes it refuses.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.ts';
import { assertAgentInput } from './agent-input.ts';

const accepts = (input: unknown) => expect(() => assertAgentInput(input, 'run_1')).not.toThrow();
const refuses = (input: unknown) => {
  expect(() => assertAgentInput(input, 'run_1')).toThrow(InvalidArgumentError);
  expect(() => assertAgentInput(input, 'run_1')).toThrow('run "run_1": agent input must be a string or { messages');
};

describe('assertAgentInput', () => {
  it('accepts a string and a conversation of well-formed messages', () => {
    accepts('');
    accepts('\u001b[31mred\u0000');
    accepts({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: null, toolCalls: [{ id: 'c1', name: 't', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'c1', content: 'ok' },
        { role: 'assistant', content: 'Done.' },
      ],
    });
  });

  it('refuses nulls, numbers, arrays, empty conversations and malformed messages', () => {
    for (const input of [
      null,
      undefined,
      42,
      ['Hi'],
      {},
      { messages: [] },
      { messages: 'Hi' },
      { messages: [null] },
      { messages: [{ role: 'user', content: null }] },
      { messages: [{ role: 'admin', content: 'x' }] },
      { messages: [{ role: 'assistant', content: 'x', toolCalls: {} }] },
      { messages: [{ role: 'assistant', content: 'x', toolCalls: [{ id: 1, name: 't', arguments: '{}' }] }] },
      { messages: [{ role: 'tool', content: 'x' }] },
      { messages: [JSON.parse('{"__proto__": {"role": "user", "content": "x"}}')] },
    ])
      refuses(input);
  });

  it('checks user attachments: one of base64 data or an http(s) url, a media type, at most 100', () => {
    const user = (attachments: unknown) => ({ messages: [{ role: 'user', content: 'x', attachments }] });
    const png = { type: 'image', mediaType: 'image/png', data: 'AAAA' };
    accepts(user([png, { type: 'file', mediaType: 'application/pdf', url: 'https://e.com/a.pdf', filename: 'a.pdf' }]));
    refuses(user(png));
    refuses(user(Array.from({ length: 101 }, () => png)));
    refuses(user([{ ...png, data: 'AAA' }]));
    refuses(user([{ ...png, filename: 'x'.repeat(256) }]));
    refuses(user([{ type: 'image', mediaType: 'image/png', url: 'file:///etc/passwd' }]));
    refuses(user([{ type: 'image', mediaType: 'image/png\n', data: 'AAAA' }]));
    refuses({ messages: [{ role: 'system', content: 'x', attachments: [png] }] });
  });
});
