/**
 * Reading what the torture left in a store: each run's info and decoded journal, through a
 * runtime with no workflows (it only reads). Also opens the store the way an application would,
 * which is itself one of the checks (a store that no longer opens fails here).
 */

import { createRuntime, type DurableStore, type HistoryItem, type RunInfo } from '@cairn/core';
import { createFileStore } from '../../src/file/file-store.ts';
import { openStore } from '../../src/open-store.ts';
import { createSqliteStore } from '../../src/sqlite/sqlite-store.ts';
import type { TortureStoreKind } from './torture-report.ts';
import type { RunSpec } from './workload-specs.ts';

/** What one run ended as. */
export interface RunOutcome {
  spec: RunSpec;
  info: RunInfo | null;
  history: HistoryItem[];
}

/** Open a torture store by kind and location. */
export function openTortureStore(kind: TortureStoreKind, location: string): DurableStore {
  // A Redis location is a redis:// spec carrying the store's prefix.
  if (kind === 'redis') return openStore(location);
  return kind === 'sqlite' ? createSqliteStore({ path: location }) : createFileStore({ dir: location });
}

/** The outcome of every spec'd run, and the store's stats. */
export async function readOutcomes(
  kind: TortureStoreKind,
  location: string,
  specs: readonly RunSpec[],
): Promise<{ outcomes: RunOutcome[]; stats: Awaited<ReturnType<DurableStore['stats']>> }> {
  const store = openTortureStore(kind, location);
  const runtime = createRuntime({ store, workflows: [], autoWake: false });
  try {
    const outcomes: RunOutcome[] = [];
    for (const spec of specs) {
      const record = await store.getRun(spec.runId);
      outcomes.push({
        spec,
        info: record ? await runtime.get(spec.runId) : null,
        history: record ? await runtime.history(spec.runId) : [],
      });
    }
    return { outcomes, stats: await store.stats() };
  } finally {
    await runtime.close();
    await store.close();
  }
}
