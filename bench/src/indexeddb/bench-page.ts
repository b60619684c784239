/**
 * The page of the IndexedDB rows (served by Vite, driven by playwright-core): the step workflow on
 * Cairn's IndexedDB store, the store's `append` alone (the engine's captured entry and patch per
 * step, no engine), and the raw baseline — one `put` per step of the same payloads in a
 * `readwrite` transaction with `durability: 'strict'`, awaited to `tx.done`. Times are measured in
 * the page with `performance.now()` and returned to Node.
 */
import { createRuntime } from '@cairn/core';
import { createIndexedDBStore } from '@cairn/storage-indexeddb';
import { openDB } from 'idb';
import { type CapturedAppend, directRun } from '../lib/direct-run.ts';
import { plainLoop, stepsWorkflow } from '../lib/workflows.ts';
import type { BenchPage } from './bench-page-api.ts';

declare global {
  interface Window {
    bench: BenchPage;
  }
}

const store = createIndexedDBStore({ name: 'cairn-bench' });
const runtime = createRuntime({ store, workflows: [stepsWorkflow] });
const rawDb = openDB('raw-bench', 1, {
  upgrade(db) {
    db.createObjectStore('entries', { keyPath: ['runId', 'seq'] });
  },
});
let appends: CapturedAppend[] = [];
let seq = 0;
let directRuns = 0;

async function timed(body: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await body();
  return performance.now() - started;
}

window.bench = {
  async setup(given) {
    appends = given;
    await rawDb;
  },
  ours: (steps) => timed(async () => (await runtime.start(stepsWorkflow, { steps })).result()),
  alone: (steps) => timed(() => directRun(store, `direct-${++directRuns}`, steps, appends)),
  raw: (steps) =>
    timed(async () => {
      const db = await rawDb;
      for (let index = 0; index < steps; index++) {
        const { entry } = appends[index % appends.length]!;
        const tx = db.transaction('entries', 'readwrite', { durability: 'strict' });
        void tx.store.put({ runId: 'raw-run', seq: ++seq, ...entry });
        await tx.done;
      }
    }),
  loop: (steps) => timed(() => plainLoop(steps)),
};
