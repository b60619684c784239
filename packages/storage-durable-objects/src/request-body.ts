/**
 * Bounded request bodies for the runs HTTP API.
 *
 * Invariants:
 * - a declared `content-length` over the limit is refused before a byte is read;
 * - otherwise the body is read as a stream, counting bytes; the chunk that crosses the limit cancels
 *   the stream at once (the client is told to stop sending), so at most one chunk past the limit
 *   is ever held, whatever the client declared or left undeclared (chunked encoding);
 * - bytes are decoded once, at the end, so a character split across chunks is decoded whole.
 */
import { InvalidArgumentError, PayloadTooLargeError } from '@cairn/core';
import { ADAPTER } from './schema.ts';

function tooLarge(maxBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`[${ADAPTER}] request body exceeds ${maxBytes} bytes`);
}

/** The request's body as UTF-8 text, refusing it with `PayloadTooLargeError` once it passes `maxBytes`. */
export async function readBoundedText(request: Request, maxBytes: number): Promise<string> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) {
    await request.body?.cancel().catch(() => undefined);
    throw tooLarge(maxBytes);
  }
  if (request.body === null) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel('request body too large').catch(() => undefined);
        throw tooLarge(maxBytes);
      }
      chunks.push(value);
    }
  } finally {
    // Never leave the body locked: with a locked reader left behind, workerd stopped the run host's
    // drive started by the same request (runs-http-api.test.ts, routing test); cause not pinned down.
    reader.releaseLock();
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/** The request's JSON object body (`{}` when empty); throws Cairn errors the caller maps to 400/413. */
export async function readJsonBody(request: Request, maxBytes: number): Promise<Record<string, unknown>> {
  const text = await readBoundedText(request, maxBytes);
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new InvalidArgumentError(`[${ADAPTER}] request body is not valid JSON`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidArgumentError(`[${ADAPTER}] request body must be a JSON object`);
  }
  return body as Record<string, unknown>;
}
