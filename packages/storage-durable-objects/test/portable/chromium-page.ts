/**
 * The browser side of the portable-run test: the refund flow on an IndexedDB store in a real
 * Chromium tab, paused on its approval, then exported with `exportRun`. Step executions are counted
 * in localStorage.
 */
import { createRuntime, exportRun, type RunInfo } from '@cairn/core';
import { createIndexedDBStore } from '@cairn/storage-indexeddb';
import { refundFlow } from './refund-flow.ts';

function count(step: string): void {
  const calls = JSON.parse(localStorage.getItem('calls') ?? '{}') as Record<string, number>;
  calls[step] = (calls[step] ?? 0) + 1;
  localStorage.setItem('calls', JSON.stringify(calls));
}

const store = createIndexedDBStore({ name: 'portable-runs' });
const runtime = createRuntime({ store, workflows: [refundFlow(count)] });

/** What the test drives. */
export interface PortablePage {
  /** Start a refund and wait until it pauses on its approval. */
  startPaused(runId: string): Promise<RunInfo>;
  exportRun(runId: string): Promise<string>;
  calls(): Record<string, number>;
}

declare global {
  interface Window {
    portable: PortablePage;
  }
}

window.portable = {
  async startPaused(runId) {
    const handle = await runtime.start('portable-refund', { orderId: 'A-7', cents: 2500 }, { runId });
    return handle.settled();
  },
  exportRun: (runId) => exportRun(store, runId),
  calls: () => JSON.parse(localStorage.getItem('calls') ?? '{}') as Record<string, number>,
};
