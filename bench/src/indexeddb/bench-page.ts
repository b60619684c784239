/**
 * The page of the IndexedDB rows (served by Vite, driven by playwright-core): the step workflow on
 * Cairn's IndexedDB store, and the raw baseline — one `put` per step of the same payloads in a
 * `readwrite` transaction with `durability: 'strict'`, awaited to `tx.done`. Times are measured in
 * the page with `performance.now()` and returned to Node.
 */
import { createRuntime, type NewEntry } from '@cairn/core';
import { createIndexedDBStore } from '@cairn/storage-indexeddb';
import { openDB } from 'idb';
import { plainLoop, stepsWorkflow } from '../lib/workflows.ts';
import type { BenchPage } from './bench-page-api.ts';

declare global {
  interface Window {
    bench: BenchPage;
  }
}

const runtime = createRuntime({ store: createIndexedDBStore({ name: 'cairn-bench' }), workflows: [stepsWorkflow] });
const rawDb = openDB('raw-bench', 1, {
  upgrade(db) {
    db.createObjectStore('entries', { keyPath: ['runId', 'seq'] });
  },
});
let entries: NewEntry[] = [];
let seq = 0;

async function timed(body: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await body();
  return performance.now() - started;
}

window.bench = {
  async setup(given) {
    entries = given;
    await rawDb;
  },
  ours: (steps) => timed(async () => (await runtime.start(stepsWorkflow, { steps })).result()),
  raw: (steps) =>
    timed(async () => {
      const db = await rawDb;
      for (let index = 0; index < steps; index++) {
        const entry = entries[index % entries.length]!;
        const tx = db.transaction('entries', 'readwrite', { durability: 'strict' });
        void tx.store.put({ runId: 'raw-run', seq: ++seq, ...entry });
        await tx.done;
      }
    }),
  loop: (steps) => timed(() => plainLoop(steps)),
};
