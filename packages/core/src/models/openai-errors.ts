/**
 * What a failed OpenAI call becomes, so the engine's retry policy can decide (ADR 0063):
 * - aborted by the step's signal → the signal's reason (cancel, step timeout), untouched;
 * - 429 → `RetryAfterError` honouring `retry-after-ms` / `retry-after` (seconds or an HTTP date),
 *   or a retryable `ModelError` when the server gave no hint;
 * - 408, 409, 5xx, client timeouts, network errors, malformed JSON → retryable `ModelError`;
 * - any other 4xx (400, 401, 403, 404, 422…) → non-retryable `ModelError`.
 *
 * Messages carry the model name, the HTTP status, the API's error code and the request id; never
 * the server's free text (it can echo a masked key or the prompt) and never the original error as
 * `cause`, because a step's failure is journaled with its causes.
 */
import { CairnError, ModelError, RetryAfterError } from '../errors.ts';

interface HeadersLike {
  get(name: string): string | null;
}

interface ApiErrorLike {
  status?: unknown;
  headers?: HeadersLike;
  code?: unknown;
  type?: unknown;
  requestID?: unknown;
}

const HINTS: Record<number, string> = {
  400: 'the request was rejected',
  401: 'check the API key',
  403: 'the key may not use this model',
  404: 'check the model name and baseURL',
  422: 'the request was rejected',
};

/** The delay a 429 asks for, in ms, or undefined. */
export function retryAfterMs(headers: HeadersLike | undefined, now: number): number | undefined {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return Math.ceil(ms);
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The error's class name: openai's errors do not set `name`, and a user's client may be another copy. */
function kindOf(error: unknown, classes?: OpenAIErrorClasses): string {
  if (classes) {
    if (error instanceof classes.APIConnectionTimeoutError) return 'APIConnectionTimeoutError';
    if (error instanceof classes.APIUserAbortError) return 'APIUserAbortError';
    if (error instanceof classes.APIConnectionError) return 'APIConnectionError';
  }
  if (typeof error !== 'object' || error === null) return 'Error';
  const name = (error as { name?: unknown }).name;
  const ctor = (error as { constructor?: { name?: unknown } }).constructor?.name;
  if (typeof name === 'string' && name !== 'Error') return name;
  return typeof ctor === 'string' && ctor.length > 0 ? ctor : 'Error';
}

function identifier(value: unknown): string | undefined {
  // API error codes and request ids are identifiers; anything else is dropped rather than echoed.
  return typeof value === 'string' && /^[A-Za-z0-9_.:-]{1,80}$/.test(value) ? value : undefined;
}

/** The `openai` error classes, from the module the client was loaded from (it is loaded lazily). */
export interface OpenAIErrorClasses {
  APIConnectionError: abstract new (...args: never[]) => object;
  APIConnectionTimeoutError: abstract new (...args: never[]) => object;
  APIUserAbortError: abstract new (...args: never[]) => object;
}

/** Map anything a call threw to the error the engine should see. */
export function toModelError(error: unknown, model: string, signal: AbortSignal, classes?: OpenAIErrorClasses): unknown {
  if (signal.aborted) return signal.reason;
  if (CairnError.is(error)) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as ApiErrorLike;
  const name = kindOf(error, classes);
  const head = `[@cairn/core] model "${model}"`;
  if (typeof e.status === 'number') {
    const status = e.status;
    const details = [identifier(e.code) ?? identifier(e.type), identifier(e.requestID) && `request ${identifier(e.requestID)}`]
      .filter(Boolean)
      .join(', ');
    const what = `${head}: HTTP ${status}${details ? ` (${details})` : ''}`;
    if (status === 429) {
      const wait = retryAfterMs(e.headers, Date.now());
      if (wait !== undefined) return new RetryAfterError(`${what}: rate limited, retry in ${wait} ms`, wait);
      return new ModelError(`${what}: rate limited`, { retryable: true });
    }
    if (status >= 500 || status === 408 || status === 409) return new ModelError(`${what}: server error`, { retryable: true });
    return new ModelError(`${what}: ${HINTS[status] ?? 'the request was refused'}`, { retryable: false });
  }
  if (name === 'APIConnectionTimeoutError') return new ModelError(`${head}: request timed out`, { retryable: true });
  if (name === 'APIConnectionError') return new ModelError(`${head}: connection failed`, { retryable: true });
  if (name === 'SyntaxError') return new ModelError(`${head} returned a malformed response (invalid JSON)`, { retryable: true });
  if (name === 'APIUserAbortError' || name === 'AbortError')
    return new ModelError(`${head}: request aborted`, { retryable: true });
  // Streams cut mid-way surface as the platform's fetch errors (TypeError "terminated", …).
  return new ModelError(`${head}: request failed (${name})`, { retryable: true });
}
