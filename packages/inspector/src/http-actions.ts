/**
 * The run actions over a JSON HTTP API whose routes have the run host's shape
 * (`POST <run>/approve|retry|fork|cancel|signal`, `DELETE <run>`): the inspector's own API and a
 * Durable Objects run host's both do, so one client serves both.
 */
import type { InspectorBackend, RunQuery } from './backend.ts';

/** One call of the API: method, path under its base, optional JSON body. */
export type HttpCall = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/** The query string of a list request (`status=a,b&workflow=…&metadata.k=v`). */
export function listParams(query: RunQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.status?.length) params.set('status', query.status.join(','));
  if (query.workflow) params.set('workflow', query.workflow);
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  if (query.cursor) params.set('cursor', query.cursor);
  for (const [key, value] of Object.entries(query.metadata ?? {})) params.set(`metadata.${key}`, value);
  return params;
}

/** The actions of a backend whose run `runPath(runId)` is under `call`'s base. */
export function httpActions(
  call: HttpCall,
  runPath: (runId: string) => string,
): Pick<InspectorBackend, 'approve' | 'retry' | 'fork' | 'cancel' | 'signal' | 'delete'> {
  return {
    async approve(runId, approvalId, decision) {
      await call('POST', `${runPath(runId)}/approve`, { approvalId, ...decision });
    },
    async retry(runId, who) {
      await call('POST', `${runPath(runId)}/retry`, who);
    },
    async fork(runId, atSeq) {
      return (await call<{ runId: string }>('POST', `${runPath(runId)}/fork`, { atSeq })).runId;
    },
    async cancel(runId, reason) {
      await call('POST', `${runPath(runId)}/cancel`, reason === undefined ? {} : { reason });
    },
    async signal(runId, name, payload) {
      await call('POST', `${runPath(runId)}/signal`, { name, payload });
    },
    async delete(runId, force) {
      return (await call<{ deleted: boolean }>('DELETE', `${runPath(runId)}${force ? '?force=true' : ''}`)).deleted;
    },
  };
}
