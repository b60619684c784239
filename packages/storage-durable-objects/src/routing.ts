/**
 * Which Durable Object hosts a run. Two layouts (ADR 0057):
 * - one object per run (`runObject`): runs never share an object's single thread, storage or alarm;
 *   `list` sees one run, so listings need an index of your own;
 * - one object per tenant (`tenantObject`): a tenant's runs share one object, so `list` and
 *   `stats` work, at the price of one thread per tenant.
 * Names are namespaced (`run:…`, `tenant:…`) so the two layouts can share one binding.
 */
import { assertRunId, InvalidArgumentError } from '@cairn/core';
import { ADAPTER } from './schema.ts';

/** A Durable Object namespace binding (`env.RUNS`), typed structurally. */
export interface NamedObjects<Stub> {
  getByName(name: string): Stub;
}

/**
 * The object that hosts `runId` when every run has its own object. Mint the id first
 * (`newRunId(Date.now())`) and pass it to `start`.
 *
 * @example
 * const runId = newRunId(Date.now());
 * await createRunHostClient(runObject(env.RUNS, runId)).start('support', message, { runId });
 */
export function runObject<Stub>(namespace: NamedObjects<Stub>, runId: string): Stub {
  assertRunId(runId, ADAPTER);
  return namespace.getByName(`run:${runId}`);
}

/**
 * The object that hosts every run of `tenant` (a user, team or account id: 1–256 characters).
 *
 * @example
 * const runs = createRunHostClient(tenantObject(env.RUNS, session.accountId));
 * const { runs: paused } = await runs.list({ status: ['paused'] });
 */
export function tenantObject<Stub>(namespace: NamedObjects<Stub>, tenant: string): Stub {
  if (typeof tenant !== 'string' || tenant.length === 0 || tenant.length > 256) {
    throw new InvalidArgumentError(`[${ADAPTER}] a tenant name must be a string of 1 to 256 characters`);
  }
  return namespace.getByName(`tenant:${tenant}`);
}
