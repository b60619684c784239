/**
 * The memory row of scenario 4, in a fresh process: R concurrent runs × S steps on SQLite FULL with
 * group commit (the default), nothing else loaded or run before. Prints one JSON line: the process's
 * resident set size before the store was opened and at its highest while the runs were in flight,
 * and the heap at that moment — what driving R runs costs, not what the bench process has seen.
 *
 *   node throughput-child.ts '{"path":"…/cairn.db","runs":1000,"steps":10}'
 */
import { createRuntime, defineWorkflow } from '@cairn/core';
import { createSqliteStore } from '@cairn/storage-node';
import { collectGarbage } from '../lib/timing.ts';

/** What the parent passes. */
export interface ThroughputChildArguments {
  path: string;
  runs: number;
  steps: number;
}

/** What the child prints. */
export interface ThroughputChildMemory {
  /** RSS once the modules are loaded, before the store is opened. */
  rssBeforeBytes: number;
  /** Highest RSS seen while the runs were in flight (sampled every 100 step results and every 5 ms). */
  peakRssBytes: number;
  /** Heap in use when that peak was seen. */
  heapAtPeakBytes: number;
  /** Heap in use after a collection with every run still in flight (half of them past their step 5). */
  heapLiveBytes: number;
  /** Heap in use after a collection, every run completed and the runtime closed. */
  heapAfterBytes: number;
  heapBeforeBytes: number;
  wallMs: number;
  steps: number;
}

const input = JSON.parse(process.argv[2] ?? '{}') as ThroughputChildArguments;
collectGarbage();
const rssBeforeBytes = process.memoryUsage.rss();
const heapBeforeBytes = process.memoryUsage().heapUsed;
let peakRssBytes = rssBeforeBytes;
let heapAtPeakBytes = heapBeforeBytes;
function sample(): void {
  const rss = process.memoryUsage.rss();
  if (rss > peakRssBytes) {
    peakRssBytes = rss;
    heapAtPeakBytes = process.memoryUsage().heapUsed;
  }
}
const store = createSqliteStore({ path: input.path, synchronous: 'full', groupCommit: true });
let heapLiveBytes = Number.NaN;
let halfway!: () => void;
const atHalfway = new Promise<void>((resolve) => {
  halfway = resolve;
});
let pastHalf = 0;
const gate = new Promise<void>((resolve) => setTimeout(resolve, 0)).then(() => atHalfway);
const workflow = defineWorkflow('bench-throughput', async (ctx, args: { steps: number }) => {
  let sum = 0;
  for (let index = 0; index < args.steps; index++) {
    sum += await ctx.step('s', () => index);
    // Every run waits at the middle once, so the heap is measured with all runs in flight.
    if (index === Math.floor(args.steps / 2)) {
      if (++pastHalf === input.runs) halfway();
      await gate;
    }
  }
  return sum;
});
let events = 0;
const runtime = createRuntime({
  store,
  workflows: [workflow],
  onEvent(event) {
    if (event.type === 'step-end' && ++events % 100 === 0) sample();
  },
});
const ticker = setInterval(sample, 5);
const started = performance.now();
const handles = await Promise.all(Array.from({ length: input.runs }, () => runtime.start(workflow, { steps: input.steps })));
await atHalfway;
sample();
collectGarbage();
heapLiveBytes = process.memoryUsage().heapUsed;
await Promise.all(handles.map((handle) => handle.result()));
const wallMs = performance.now() - started;
sample();
clearInterval(ticker);
await runtime.close();
await store.close();
collectGarbage();
const result: ThroughputChildMemory = {
  rssBeforeBytes,
  peakRssBytes,
  heapAtPeakBytes,
  heapLiveBytes,
  heapAfterBytes: process.memoryUsage().heapUsed,
  heapBeforeBytes,
  wallMs,
  steps: input.runs * input.steps,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
