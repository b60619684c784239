/**
 * What a failed AI SDK call becomes, so the engine's retry policy decides (ADR 0130):
 * - aborted by the step's signal → the signal's reason (cancel, step timeout), untouched;
 * - `APICallError` 429 (or any status with a `retry-after` / `retry-after-ms` header the provider
 *   marks retryable) → `RetryAfterError`, its delay capped at `maxRetryAfterMs`;
 * - `APICallError` with a status → retryable exactly when the provider says (`isRetryable`: 408,
 *   409, 429, 5xx including Anthropic's 529), except a 2xx whose body did not parse (malformed
 *   JSON), which is retryable like any garbled response;
 * - a provider's `error` stream part (Anthropic's `overloaded_error`, `api_error`…) → retryable
 *   unless its type names a request the server refused (`invalid_request_error`, auth, permission,
 *   not found);
 * - JSON/parse/validation errors, empty bodies and network failures (a cut stream) → retryable.
 *
 * Messages carry the model id, the HTTP status and the API's error type; never the server's free
 * text (it can echo a masked key or the prompt) and never the original error as `cause`, because a
 * step's failure is journaled with its causes.
 */
import { APICallError } from '@ai-sdk/provider';
import { CairnError, ModelError, RetryAfterError } from '@cairn/core';

const REFUSED = /invalid_request|authentication|permission|not_found|request_too_large|billing/;

/** The delay `headers` ask for, in ms, or undefined. */
export function retryAfterMs(headers: Record<string, string> | undefined, now: number): number | undefined {
  if (!headers) return undefined;
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
  const ms = Number.parseFloat(lower['retry-after-ms'] ?? '');
  if (Number.isFinite(ms) && ms >= 0) return Math.ceil(ms);
  const value = lower['retry-after'];
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function identifier(value: unknown): string | undefined {
  // API error types and request ids are identifiers; anything else is dropped rather than echoed.
  return typeof value === 'string' && /^[A-Za-z0-9_.:-]{1,80}$/.test(value) ? value : undefined;
}

/** The API's error type from a JSON error body (`{ error: { type } }` or `{ type }`), if any. */
function errorType(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const inner = (body as { error?: unknown }).error;
  if (typeof inner === 'object' && inner !== null) {
    const t = identifier((inner as { type?: unknown }).type) ?? identifier((inner as { code?: unknown }).code);
    if (t) return t;
  }
  return identifier((body as { type?: unknown }).type);
}

function parsedBody(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function nameOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) return typeof error;
  const name = (error as { name?: unknown }).name;
  return identifier(name) ?? 'Error';
}

/** Options of `toModelError`. */
export interface ErrorMapping {
  modelId: string;
  signal: AbortSignal;
  maxRetryAfterMs: number;
}

/** Map anything a call threw (or a stream's error part) to the error the engine should see. */
export function toModelError(error: unknown, { modelId, signal, maxRetryAfterMs }: ErrorMapping): unknown {
  if (signal.aborted) return signal.reason;
  if (CairnError.is(error)) return error;
  const head = `[@cairn/ai-sdk] model "${modelId}"`;
  if (APICallError.isInstance(error)) {
    const status = error.statusCode;
    const type = errorType(error.data) ?? errorType(parsedBody(error.responseBody));
    const what = `${head}: HTTP ${status ?? '(no status)'}${type ? ` (${type})` : ''}`;
    if (status !== undefined && status >= 200 && status < 300)
      return new ModelError(`${what}: malformed response`, { retryable: true });
    const wait = retryAfterMs(error.responseHeaders, Date.now());
    if (error.isRetryable && wait !== undefined) {
      const capped = Math.min(wait, maxRetryAfterMs);
      return new RetryAfterError(`${what}: retry in ${capped} ms${capped < wait ? ` (asked ${wait} ms, capped)` : ''}`, capped);
    }
    if (status === undefined) return new ModelError(`${what}: request failed`, { retryable: true });
    return new ModelError(`${what}: ${error.isRetryable ? 'server error' : 'the request was refused'}`, {
      retryable: error.isRetryable,
    });
  }
  const name = nameOf(error);
  // A provider's in-stream error event arrives as the API's error object: `{ type, message }`.
  const streamType = typeof error === 'object' && error !== null && !(error instanceof Error) ? errorType(error) : undefined;
  if (streamType) return new ModelError(`${head}: stream error (${streamType})`, { retryable: !REFUSED.test(streamType) });
  // The request cannot be made as asked (a feature the provider lacks, a prompt it refuses): retrying repeats it.
  if (/UnsupportedFunctionality|InvalidPrompt|InvalidArgument|NoSuchModel|TooManyEmbeddingValues/.test(name))
    return new ModelError(`${head}: the request was refused (${name})`, { retryable: false });
  if (/JSONParse|TypeValidation|InvalidResponseData|EmptyResponseBody|SyntaxError/.test(name))
    return new ModelError(`${head} returned a malformed response (${name})`, { retryable: true });
  if (name === 'AbortError' || name === 'TimeoutError') return new ModelError(`${head}: request aborted`, { retryable: true });
  // Cut connections surface as the platform's fetch errors (TypeError "terminated", …).
  return new ModelError(`${head}: request failed (${name})`, { retryable: true });
}
