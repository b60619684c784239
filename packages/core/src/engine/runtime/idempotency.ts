/**
 * Idempotency keys: `start(…, { idempotencyKey })` maps a key to one run id, and that run is bound
 * to the workflow and input it was started with. The same key with another workflow or input is
 * refused, never answered with someone else's run.
 */
import { InvalidArgumentError } from '../../errors.ts';
import type { DurableStore } from '../../storage/types.ts';

/** The run id of a key: a digest of the key alone (the run itself binds workflow and input). */
export async function idempotentRunId(key: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key)));
  return `idem_${[...digest.slice(0, 20)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Throw unless the run `runId` (if it exists) was started with `workflow` and this encoded input. */
export async function assertSameStart(
  store: DurableStore,
  runId: string,
  workflow: string,
  input: string,
  key: string,
): Promise<void> {
  const existing = await store.getRun(runId);
  if (!existing) return;
  if (existing.workflow !== workflow || existing.input !== input)
    throw new InvalidArgumentError(
      `[@cairn/core] idempotency key ${JSON.stringify(key.slice(0, 80))} was used for run "${runId}" of workflow "${existing.workflow}" with ${existing.workflow === workflow ? 'another input' : 'another workflow'}; use a new key`,
      { runId },
    );
}
