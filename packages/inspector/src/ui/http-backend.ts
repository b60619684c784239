/**
 * The page's `InspectorBackend` when `cairn ui` serves it: the JSON API of its own origin, with the
 * access token as a bearer header (the token came in the URL fragment, which is never sent).
 */
import type { HistoryItem, RunInfo, StoreStats } from '@cairn/core';
import type { InspectorBackend } from '../backend.ts';
import { httpActions, listParams } from '../http-actions.ts';
import { readJson } from '../http-error.ts';

/** The server's answer to `GET /api/info`. */
export interface ServerInfo {
  name: string;
  canDrive: boolean;
}

/** Read `/api/info` and return the backend over the API. */
export async function connectHttpBackend(token: string): Promise<InspectorBackend> {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`/api/${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      credentials: 'omit',
      cache: 'no-store',
    });
    return readJson<T>(response, `${method} /api/${path.split('?')[0]}`);
  }
  const info = await call<ServerInfo>('GET', 'info');
  const run = (runId: string) => `runs/${encodeURIComponent(runId)}`;
  return {
    name: info.name,
    canDrive: info.canDrive,
    list(query) {
      // The server answers search by id and age itself (run-query.ts).
      const params = listParams(query);
      if (query.runId) params.set('runId', query.runId);
      if (query.createdAfter !== undefined) params.set('createdAfter', String(query.createdAfter));
      return call<{ runs: RunInfo[]; cursor?: string }>('GET', `runs?${params}`);
    },
    stats: () => call<StoreStats>('GET', 'stats'),
    run: (runId) => call<{ info: RunInfo; history: HistoryItem[] }>('GET', run(runId)),
    ...httpActions(call, run),
  };
}
