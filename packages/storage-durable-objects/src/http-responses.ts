/**
 * JSON out for the runs HTTP API (bodies in: `request-body.ts`): errors as `{ error: { code,
 * message } }` with the HTTP status their code means. Cairn messages are safe to show (they quote
 * ids, never payloads); any other error is reported as an opaque 500 and logged server-side.
 */
import type { ErrorCode } from '@cairn/core';
import { CairnError, InvalidArgumentError } from '@cairn/core';
import { ADAPTER } from './schema.ts';

const STATUS: Partial<Record<ErrorCode, number>> = {
  'invalid-argument': 400,
  'invalid-run-id': 400,
  'not-serializable': 400,
  'run-not-found': 404,
  'approval-not-found': 404,
  'workflow-not-found': 404,
  'run-exists': 409,
  'approval-already-decided': 409,
  'lease-held': 409,
  'storage-conflict': 409,
  'payload-too-large': 413,
};

/** A JSON response. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

/** A JSON error response with an explicit code (for errors of the HTTP layer itself). */
export function problem(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return json({ error: { code, message } }, status, headers);
}

/** The response for an error thrown by the host or the client. */
export function errorResponse(error: unknown): Response {
  if (!CairnError.is(error)) {
    console.error(`[${ADAPTER}] runs API: unexpected error`, error);
    return problem(500, 'internal', 'internal error');
  }
  if (error.code === 'storage-unavailable') {
    return error.retryable
      ? problem(503, error.code, error.message, { 'retry-after': '1' })
      : problem(500, error.code, error.message);
  }
  return problem(STATUS[error.code] ?? 500, error.code, error.message);
}

/** `body[field]` if it is a non-empty string; `InvalidArgumentError` otherwise (or `undefined` when optional). */
export function stringField(body: Record<string, unknown>, field: string, required: true): string;
export function stringField(body: Record<string, unknown>, field: string, required: false): string | undefined;
export function stringField(body: Record<string, unknown>, field: string, required: boolean): string | undefined {
  const value = body[field];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidArgumentError(`[${ADAPTER}] "${field}" must be a non-empty string`);
  }
  return value;
}
