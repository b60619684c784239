/**
 * The inspector's JSON API, over an `InspectorBackend` (the page's only way to runs):
 *
 *   GET    /api/info                     { name, canDrive }
 *   GET    /api/stats                    counts by status
 *   GET    /api/runs?status=a,b&workflow=&metadata.k=v&createdAfter=&runId=&limit=&cursor=
 *   GET    /api/runs/:id                 { info, history }
 *   POST   /api/runs/:id/approve         { approvalId, approved, by, reason? }
 *   POST   /api/runs/:id/retry           { by, reason? }
 *   POST   /api/runs/:id/fork            { atSeq }            → { runId }
 *   POST   /api/runs/:id/cancel          { reason? }
 *   POST   /api/runs/:id/signal          { name, payload? }
 *   DELETE /api/runs/:id?force=true
 *
 * Errors are `{ error: { code, message } }` with the status their code means. Cairn messages quote
 * ids and never hold payload contents (DESIGN §7), so they are safe to show.
 */
import type { RunStatus } from '@cairn/core';
import type { InspectorBackend, RunQuery } from '../backend.ts';

const STATUSES: readonly RunStatus[] = ['running', 'paused', 'failed', 'completed', 'cancelled'];

/** A request the routes understand. */
export interface ApiRequest {
  method: string;
  url: URL;
  body: () => Promise<Record<string, unknown>>;
}

/** What the routes answer. */
export interface ApiResponse {
  status: number;
  body: unknown;
}

/** A refused request: its status and code. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const STATUS_OF_CODE: Record<string, number> = {
  'run-not-found': 404,
  'approval-not-found': 404,
  'invalid-argument': 400,
  'invalid-run-id': 400,
  'needs-workflows': 409,
  'run-not-retryable': 409,
  'approval-already-decided': 409,
  'run-not-paused': 409,
  'storage-conflict': 409,
  'run-exists': 409,
  'payload-too-large': 413,
};

/** An error as the API answers it. */
export function errorResponse(error: unknown): ApiResponse {
  if (error instanceof ApiError) return { status: error.status, body: { error: { code: error.code, message: error.message } } };
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const status = typeof code === 'string' ? (STATUS_OF_CODE[code] ?? (error as { status?: number }).status ?? 500) : 500;
  return { status, body: { error: { code: typeof code === 'string' ? code : 'internal', message } } };
}

function text(body: Record<string, unknown>, field: string, required: boolean, max = 2000): string | undefined {
  const value = body[field];
  if (value === undefined || value === null || value === '') {
    if (required) throw new ApiError(400, 'invalid-argument', `"${field}" is required`);
    return undefined;
  }
  if (typeof value !== 'string' || value.length > max)
    throw new ApiError(400, 'invalid-argument', `"${field}" must be a string of at most ${max} characters`);
  return value;
}

/** The list query of `GET /api/runs`. */
export function runQueryOf(url: URL): RunQuery {
  const query: RunQuery = {};
  const params = url.searchParams;
  const status = params.get('status');
  if (status) {
    const list = status.split(',');
    for (const s of list)
      if (!STATUSES.includes(s as RunStatus))
        throw new ApiError(400, 'invalid-argument', `unknown status ${JSON.stringify(s.slice(0, 20))}`);
    query.status = list as RunStatus[];
  }
  const workflow = params.get('workflow');
  if (workflow) query.workflow = workflow;
  const runId = params.get('runId');
  if (runId) query.runId = runId;
  const cursor = params.get('cursor');
  if (cursor) query.cursor = cursor;
  const limit = params.get('limit');
  if (limit !== null) {
    if (!/^\d{1,3}$/.test(limit) || Number(limit) < 1 || Number(limit) > 200)
      throw new ApiError(400, 'invalid-argument', 'limit must be an integer from 1 to 200');
    query.limit = Number(limit);
  }
  const createdAfter = params.get('createdAfter');
  if (createdAfter !== null) {
    if (!/^\d{1,15}$/.test(createdAfter)) throw new ApiError(400, 'invalid-argument', 'createdAfter must be ms since the epoch');
    query.createdAfter = Number(createdAfter);
  }
  const metadata: Record<string, string> = {};
  for (const [name, value] of params) if (name.startsWith('metadata.')) metadata[name.slice('metadata.'.length)] = value;
  if (Object.keys(metadata).length > 0) query.metadata = metadata;
  return query;
}

async function runAction(backend: InspectorBackend, runId: string, action: string, request: ApiRequest): Promise<unknown> {
  const body = await request.body();
  switch (action) {
    case 'approve': {
      if (typeof body.approved !== 'boolean') throw new ApiError(400, 'invalid-argument', '"approved" must be true or false');
      const by = text(body, 'by', true, 200) as string;
      const reason = text(body, 'reason', false);
      await backend.approve(runId, text(body, 'approvalId', true, 200) as string, {
        approved: body.approved,
        by,
        ...(reason !== undefined ? { reason } : {}),
      });
      return { runId };
    }
    case 'retry': {
      const reason = text(body, 'reason', false);
      await backend.retry(runId, { by: text(body, 'by', true, 200) as string, ...(reason !== undefined ? { reason } : {}) });
      return { runId };
    }
    case 'fork': {
      const atSeq = body.atSeq;
      if (typeof atSeq !== 'number' || !Number.isSafeInteger(atSeq) || atSeq < 1)
        throw new ApiError(400, 'invalid-argument', '"atSeq" must be a journal seq (a positive integer)');
      return { runId: await backend.fork(runId, atSeq) };
    }
    case 'cancel':
      await backend.cancel(runId, text(body, 'reason', false));
      return { runId };
    case 'signal':
      await backend.signal(runId, text(body, 'name', true, 200) as string, body.payload);
      return { runId };
    default:
      throw new ApiError(404, 'not-found', 'no such route');
  }
}

/** Answer one API request (`url.pathname` starts with `/api/`). */
export async function handleApi(backend: InspectorBackend, request: ApiRequest): Promise<ApiResponse> {
  try {
    const parts = request.url.pathname.slice('/api/'.length).split('/');
    const [resource, encodedId, action, ...extra] = parts;
    const method = request.method;
    if (extra.length > 0) throw new ApiError(404, 'not-found', 'no such route');
    if (resource === 'info' && encodedId === undefined && method === 'GET')
      return { status: 200, body: { name: backend.name, canDrive: backend.canDrive } };
    if (resource === 'stats' && encodedId === undefined && method === 'GET') return { status: 200, body: await backend.stats() };
    if (resource !== 'runs') throw new ApiError(404, 'not-found', 'no such route');
    if (encodedId === undefined || encodedId === '') {
      if (method !== 'GET') throw new ApiError(405, 'method-not-allowed', 'GET only');
      return { status: 200, body: await backend.list(runQueryOf(request.url)) };
    }
    let runId: string;
    try {
      runId = decodeURIComponent(encodedId);
    } catch {
      throw new ApiError(400, 'invalid-argument', 'malformed run id');
    }
    if (action === undefined) {
      if (method === 'GET') return { status: 200, body: await backend.run(runId) };
      if (method === 'DELETE')
        return {
          status: 200,
          body: { runId, deleted: await backend.delete(runId, request.url.searchParams.get('force') === 'true') },
        };
      throw new ApiError(405, 'method-not-allowed', 'GET or DELETE');
    }
    if (method !== 'POST') throw new ApiError(405, 'method-not-allowed', 'POST only');
    return { status: 200, body: await runAction(backend, runId, action, request) };
  } catch (error) {
    return errorResponse(error);
  }
}
