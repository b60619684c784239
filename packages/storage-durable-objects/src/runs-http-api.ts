/**
 * `handleRunsRequest`: the run host's API over HTTP, for the Worker in front of the objects.
 *
 *   GET  /runs                 list (?status=paused,running&workflow=…&limit=…&cursor=…)
 *   POST /runs                 start  { workflow, input?, runId? }            → 201
 *   GET  /runs/:id             get
 *   GET  /runs/:id/history     { runId, items } (the shape of `cairn history --json`)
 *   POST /runs/:id/signal      { name, payload? }
 *   POST /runs/:id/approve     { approvalId, approved, by, reason?, data? }
 *   POST /runs/:id/cancel      { reason? }
 *   POST /runs/:id/retry       { by?, reason? }                               continue a failed run in place
 *   POST /runs/:id/fork        { atSeq, input?, runId? }                      → 201, the fork
 *   DELETE /runs/:id           (?force=true for a run under a live lease)     → { runId, deleted }
 *   GET  /runs:stats           counts by status and the backend name
 *   POST /runs:cleanup         { olderThanMs?, status? }                      → { deleted }
 *   POST /runs:retry-all       { workflow?, failedAfter?, limit?, by?, reason? } → { retried, failed }
 *   GET  /runs/:id/events      Server-Sent Events, resumable with Last-Event-ID (runs-http-streams.ts)
 *   GET  /runs/:id/ui-stream   the AI SDK UI message stream of an agent run (when `uiStream` is given)
 *   GET  /runs/:id/export      portable JSON-lines document
 *   POST /runs/import          import such a document → 201
 *
 * `GET /runs` filters by metadata with `metadata.<key>=<value>` parameters; `POST /runs` takes
 * `metadata` (a string map) and `expiresAt` (ms since the epoch). Collection verbs use `:` because it
 * cannot occur in a run id.
 *
 * Authorization runs first: a refused request gets 401 without reaching any object.
 */
import type { ApprovalInput, RunStatus } from '@cairn/core';
import { InvalidArgumentError, newRunId } from '@cairn/core';
import type { ListRunsOptions, RunHostApi, StartRunOptions } from './host-api.ts';
import { errorResponse, json, problem, stringField } from './http-responses.ts';
import { readJsonBody } from './request-body.ts';
import { type EventStreamRouteOptions, eventStreamResponse, exportResponse, importResponse } from './runs-http-streams.ts';
import { ADAPTER } from './schema.ts';

/** Options of `handleRunsRequest`. */
export interface HandleRunsRequestOptions {
  /**
   * Where runs live: one API (a client of a tenant's object, or the host itself inside an object),
   * or a function choosing one per run (`null` for `GET /runs`). `POST /runs` mints the run id
   * first when the body has none, so per-run routing sees it.
   */
  host: RunHostApi | ((runId: string | null) => RunHostApi);
  /** Admit the request or not (false → 401). Use `bearerAuth(env.CAIRN_TOKEN)`. No hook admits everything. */
  authorize?: (request: Request) => boolean | Promise<boolean>;
  /** Path prefix of the API (default `/runs`). */
  basePath?: string;
  /**
   * Largest request body, in bytes (default 1 MiB). Bodies are read as a stream and refused with 413
   * as soon as they pass it (or at once when `content-length` says so), never buffered whole.
   */
  maxBodyBytes?: number;
  /** Largest document `POST /runs/import` takes, in bytes (default 32 MiB). */
  maxImportBytes?: number;
  /** Polling and lifetime of `GET /runs/:id/events` streams. */
  events?: EventStreamRouteOptions;
  /**
   * Serves `GET /runs/:id/ui-stream` (404 without it): `uiStreamRoute()` of `@cairn/ai-sdk/ui`, which
   * rebuilds the run's AI SDK UI message stream from its journal (ADR 0136). Kept a hook so this
   * package does not depend on the AI SDK.
   */
  uiStream?: (host: RunHostApi, runId: string, request: Request) => Promise<Response>;
}

const STATUSES: readonly RunStatus[] = ['running', 'paused', 'failed', 'completed', 'cancelled'];

function listQuery(url: URL): ListRunsOptions {
  const query: ListRunsOptions = {};
  const status = url.searchParams.get('status');
  if (status) {
    const statuses = status.split(',');
    for (const s of statuses) {
      if (!STATUSES.includes(s as RunStatus)) {
        throw new InvalidArgumentError(`[${ADAPTER}] unknown status ${JSON.stringify(s.slice(0, 20))}`);
      }
    }
    query.status = statuses as RunStatus[];
  }
  const workflow = url.searchParams.get('workflow');
  if (workflow) query.workflow = workflow;
  const limit = url.searchParams.get('limit');
  if (limit !== null) {
    if (!/^\d{1,4}$/.test(limit)) throw new InvalidArgumentError(`[${ADAPTER}] limit must be an integer from 1 to 1000`);
    query.limit = Number(limit);
  }
  const cursor = url.searchParams.get('cursor');
  if (cursor) query.cursor = cursor;
  const metadata: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    if (name.startsWith('metadata.')) metadata[name.slice('metadata.'.length)] = value;
  if (Object.keys(metadata).length > 0) query.metadata = metadata;
  return query;
}

function optionalNumber(body: Record<string, unknown>, field: string): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new InvalidArgumentError(`[${ADAPTER}] "${field}" must be a finite number`);
  return value;
}

function who(body: Record<string, unknown>): { by?: string; reason?: string } {
  const by = stringField(body, 'by', false);
  const reason = stringField(body, 'reason', false);
  return { ...(by !== undefined ? { by } : {}), ...(reason !== undefined ? { reason } : {}) };
}

/** `/runs:<verb>` requests: stats, cleanup, retry-all. */
async function collectionVerb(
  verb: string,
  method: string,
  host: RunHostApi,
  body: () => Promise<Record<string, unknown>>,
  allow: (allowed: string) => Response,
): Promise<Response> {
  if (verb === 'stats') return method === 'GET' ? json(await host.stats()) : allow('GET');
  if (verb !== 'cleanup' && verb !== 'retry-all') return problem(404, 'not-found', 'no such route');
  if (method !== 'POST') return allow('POST');
  const fields = await body();
  if (verb === 'cleanup') {
    const olderThanMs = optionalNumber(fields, 'olderThanMs');
    const status = fields.status;
    if (status !== undefined && (!Array.isArray(status) || status.some((s) => !STATUSES.includes(s as RunStatus))))
      throw new InvalidArgumentError(`[${ADAPTER}] "status" must be a list of run statuses`);
    const deleted = await host.cleanup({
      ...(olderThanMs !== undefined ? { olderThanMs } : {}),
      ...(status !== undefined ? { status: status as RunStatus[] } : {}),
    });
    return json({ deleted });
  }
  const failedAfter = optionalNumber(fields, 'failedAfter');
  const limit = optionalNumber(fields, 'limit');
  const workflow = stringField(fields, 'workflow', false);
  return json(
    await host.retryAll({
      ...who(fields),
      ...(workflow !== undefined ? { workflow } : {}),
      ...(failedAfter !== undefined ? { failedAfter } : {}),
      ...(limit !== undefined ? { limit } : {}),
    }),
  );
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new InvalidArgumentError(`[${ADAPTER}] malformed path segment`);
  }
}

function approval(body: Record<string, unknown>): ApprovalInput {
  if (typeof body.approved !== 'boolean') throw new InvalidArgumentError(`[${ADAPTER}] "approved" must be true or false`);
  const decision: ApprovalInput = { approved: body.approved, by: stringField(body, 'by', true) };
  const reason = stringField(body, 'reason', false);
  if (reason !== undefined) decision.reason = reason;
  if (body.data !== undefined) decision.data = body.data;
  return decision;
}

/**
 * Serve the runs API for `request`. Unknown paths are 404, wrong methods 405.
 *
 * @example
 * export default {
 *   fetch: (request, env) =>
 *     handleRunsRequest(request, {
 *       host: createRunHostClient(tenantObject(env.RUNS, 'default')),
 *       authorize: bearerAuth(env.CAIRN_TOKEN),
 *     }),
 * } satisfies ExportedHandler<Env>;
 */
export async function handleRunsRequest(request: Request, options: HandleRunsRequestOptions): Promise<Response> {
  try {
    if (options.authorize && !(await options.authorize(request))) {
      return problem(401, 'unauthorized', 'missing or invalid bearer token', { 'www-authenticate': 'Bearer realm="cairn"' });
    }
    const base = (options.basePath ?? '/runs').replace(/\/+$/, '');
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    const body = () => readJsonBody(request, options.maxBodyBytes ?? 1024 * 1024);
    const allow = (allowed: string) => problem(405, 'method-not-allowed', `use ${allowed}`, { allow: allowed });
    const hostFor = (runId: string | null): RunHostApi =>
      typeof options.host === 'function' ? options.host(runId) : options.host;
    if (url.pathname.startsWith(`${base}:`))
      return await collectionVerb(url.pathname.slice(base.length + 1), method, hostFor(null), body, allow);
    if (url.pathname !== base && !url.pathname.startsWith(`${base}/`)) return problem(404, 'not-found', 'no such route');
    const parts = url.pathname.slice(base.length).split('/').filter(Boolean).map(decodeSegment);

    if (parts.length === 0) {
      if (method === 'GET') return json(await hostFor(null).list(listQuery(url)));
      if (method !== 'POST') return allow('GET, POST');
      const fields = await body();
      const workflow = stringField(fields, 'workflow', true);
      const runId = stringField(fields, 'runId', false) ?? newRunId(Date.now());
      const startOptions: StartRunOptions = { runId };
      if (fields.metadata !== undefined) startOptions.metadata = fields.metadata as Record<string, string>;
      const expiresAt = optionalNumber(fields, 'expiresAt');
      if (expiresAt !== undefined) startOptions.expiresAt = expiresAt;
      const idempotencyKey = stringField(fields, 'idempotencyKey', false);
      if (idempotencyKey !== undefined) startOptions.idempotencyKey = idempotencyKey;
      const info = await hostFor(runId).start(workflow, fields.input ?? null, startOptions);
      return json(info, 201, { location: `${base}/${encodeURIComponent(info.runId)}` });
    }
    const [runId, action, ...rest] = parts as [string, string | undefined, ...string[]];
    if (rest.length > 0) return problem(404, 'not-found', 'no such route');
    if (runId === 'import' && action === undefined && method === 'POST')
      return importResponse(hostFor, request, base, options.maxImportBytes ?? 32 * 1024 * 1024);
    const host = hostFor(runId);
    if (action === undefined) {
      if (method === 'GET') return json(await host.get(runId));
      if (method !== 'DELETE') return allow('GET, DELETE');
      const force = url.searchParams.get('force') === 'true';
      return json({ runId, deleted: await host.delete(runId, { force }) });
    }
    if (action === 'events')
      return method === 'GET' ? await eventStreamResponse(host, runId, request, options.events) : allow('GET');
    if (action === 'ui-stream' && options.uiStream)
      return method === 'GET' ? await options.uiStream(host, runId, request) : allow('GET');
    if (action === 'export') return method === 'GET' ? await exportResponse(host, runId) : allow('GET');
    if (action === 'history') return method === 'GET' ? json({ runId, items: await host.history(runId) }) : allow('GET');
    if (!['signal', 'approve', 'cancel', 'retry', 'fork'].includes(action)) return problem(404, 'not-found', 'no such route');
    if (method !== 'POST') return allow('POST');
    const fields = await body();
    if (action === 'retry') return json(await host.retry(runId, who(fields)));
    if (action === 'fork') {
      const atSeq = optionalNumber(fields, 'atSeq');
      if (atSeq === undefined) throw new InvalidArgumentError(`[${ADAPTER}] "atSeq" is required`);
      const forkId = stringField(fields, 'runId', false);
      const fork = await host.fork(runId, {
        atSeq,
        ...('input' in fields ? { input: fields.input } : {}),
        ...(forkId !== undefined ? { runId: forkId } : {}),
      });
      return json(fork, 201, { location: `${base}/${encodeURIComponent(fork.runId)}` });
    }
    if (action === 'signal') await host.signal(runId, stringField(fields, 'name', true), fields.payload);
    else if (action === 'approve') await host.approve(runId, stringField(fields, 'approvalId', true), approval(fields));
    else {
      const reason = stringField(fields, 'reason', false);
      await host.cancel(runId, reason === undefined ? {} : { reason });
    }
    return json(await host.get(runId));
  } catch (error) {
    return errorResponse(error);
  }
}
