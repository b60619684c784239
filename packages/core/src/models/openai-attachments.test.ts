// User attachments in the chat completions body (ADR 0134): images inline as data URLs or by URL,
// files inline only (chat completions has no file URLs: a clear, non-retryable error).
import { describe, expect, it } from 'vitest';
import { ModelError } from '../errors.ts';
import { toOpenAIBody } from './openai-messages.ts';

describe('toOpenAIBody with attachments', () => {
  it('puts images and files before the text, and leaves a user message without attachments a string', () => {
    const body = toOpenAIBody(
      {
        messages: [
          { role: 'user', content: 'plain' },
          {
            role: 'user',
            content: 'What is in these?',
            attachments: [
              { type: 'image', mediaType: 'image/png', data: 'AAAA' },
              { type: 'image', mediaType: 'image/jpeg', url: 'https://example.com/a.jpg' },
              { type: 'file', mediaType: 'application/pdf', data: 'QUJD', filename: 'a.pdf' },
            ],
          },
        ],
        tools: [],
      },
      'gpt-4o-mini',
      {},
    );
    expect(body.messages).toEqual([
      { role: 'user', content: 'plain' },
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
          { type: 'image_url', image_url: { url: 'https://example.com/a.jpg' } },
          { type: 'file', file: { file_data: 'data:application/pdf;base64,QUJD', filename: 'a.pdf' } },
          { type: 'text', text: 'What is in these?' },
        ],
      },
    ]);
  });

  it('refuses a file by URL with a non-retryable ModelError', () => {
    const request = {
      messages: [
        {
          role: 'user' as const,
          content: 'x',
          attachments: [{ type: 'file' as const, mediaType: 'application/pdf', url: 'https://e.com/a.pdf' }],
        },
      ],
      tools: [],
    };
    expect(() => toOpenAIBody(request, 'gpt-4o-mini', {})).toThrow(ModelError);
    expect(() => toOpenAIBody(request, 'gpt-4o-mini', {})).toThrow('files inline only');
  });
});
