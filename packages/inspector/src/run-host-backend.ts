/**
 * The inspector over a Durable Objects run host's HTTP API (`handleRunsRequest` of
 * @cairn/storage-durable-objects): `cairn ui --url https://… --token …`. The host drives its own
 * runs, so every action is available; the bearer token goes in a header, never in a URL.
 */
import type { HistoryItem, RunInfo, StoreStats } from '@cairn/core';
import type { InspectorBackend } from './backend.ts';
import { httpActions, listParams } from './http-actions.ts';
import { readJson } from './http-error.ts';
import { queryRuns } from './run-query.ts';

/** Options of `createRunHostBackend`. */
export interface CreateRunHostBackendOptions {
  /** Base URL of the runs API, e.g. `https://agents.example.com/runs`. */
  url: string;
  /** The host's bearer token (`bearerAuth(env.CAIRN_TOKEN)`), if it asks for one. */
  token?: string;
  fetch?: typeof fetch;
}

/** An `InspectorBackend` over a run host's HTTP API. */
export function createRunHostBackend(options: CreateRunHostBackendOptions): InspectorBackend {
  const base = options.url.replace(/\/+$/, '');
  const send = options.fetch ?? fetch;
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await send(`${base}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      redirect: 'error',
    });
    return readJson<T>(response, `run host ${method} ${path.split('?')[0]}`);
  }
  const run = (runId: string) => `/${encodeURIComponent(runId)}`;
  return {
    name: `run host ${new URL(base).host}`,
    canDrive: true,
    list: (query) =>
      queryRuns(
        query,
        (page) => {
          const params = listParams(page).toString();
          return call('GET', params ? `?${params}` : '');
        },
        (runId) => call<RunInfo>('GET', run(runId)),
      ),
    stats: () => call<StoreStats>('GET', ':stats'),
    async run(runId) {
      const [info, history] = await Promise.all([
        call<RunInfo>('GET', run(runId)),
        call<{ items: HistoryItem[] }>('GET', `${run(runId)}/history`),
      ]);
      return { info, history: history.items };
    },
    ...httpActions(call, run),
  };
}
