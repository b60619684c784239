/**
 * A store driven directly, without the engine: a run created, then one `append` per step of the
 * entry and header patch the engine wrote for that step in a real run. Portable (no `node:*`), so the
 * Durable Objects Worker uses it too.
 */
import { type DurableStore, initialRun, type NewEntry, type NewRun, type RunPatch } from '@cairn/core';

/** What one step's append carries, captured from a real run. */
export interface CapturedAppend {
  entry: NewEntry;
  patch: RunPatch | undefined;
}

function newRun(runId: string): NewRun {
  return initialRun({ runId, workflow: 'bench-direct', input: '{}', createdAt: Date.now() });
}

/** Create run `runId` in `store` and append `steps` captured steps to it, one append each. */
export async function directRun(
  store: DurableStore,
  runId: string,
  steps: number,
  appends: readonly CapturedAppend[],
): Promise<void> {
  await store.createRun(newRun(runId));
  for (let index = 0; index < steps; index++) {
    const { entry, patch } = appends[index % appends.length]!;
    await store.append(runId, index, [entry], patch);
  }
}
