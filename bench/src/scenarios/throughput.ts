/**
 * Scenario 4, throughput: R concurrent runs × S sequential steps in one process and one runtime.
 * Reported: steps per second (wall clock, all runs started together until all completed) and the
 * commit latency of each step — from its function returning to its commit resolving (the
 * runtime's `step-end` event is emitted right after the commit resolves).
 *
 * Variants: SQLite FULL with group commit (the default: the writes of one event-loop turn share one
 * transaction and one WAL sync, ADR 0180); SQLite FULL with `groupCommit: false` (one transaction
 * and one fsync per write); SQLite NORMAL without group commit (no fsync per commit: weaker
 * durability, for reference).
 *
 * Memory rows: the RSS of driving R concurrent runs, measured in a fresh process per repetition
 * (throughput-child.ts), never in the bench process, whose RSS holds every scenario run before.
 */

import { join } from 'node:path';
import { createRuntime, type DurableStore, defineWorkflow } from '@cairn/core';
import { createSqliteStore } from '@cairn/storage-node';
import { countingStore, writesOf } from '../lib/counting-store.ts';
import { bytes, grouped, millis, ratio } from '../lib/format.ts';
import { runJsonChild } from '../lib/json-child.ts';
import type { Report } from '../lib/report.ts';
import type { BenchSettings } from '../lib/settings.ts';
import { median, percentile } from '../lib/stats.ts';
import { tempDir } from '../lib/temp-dir.ts';
import { collectGarbage, rotate } from '../lib/timing.ts';
import type { ThroughputChildMemory } from './throughput-child.ts';

const CHILD = join(import.meta.dirname, 'throughput-child.ts');

type VariantId = 'sqlite-full-group' | 'sqlite-full' | 'sqlite-normal';

const VARIANTS: Array<{ id: VariantId; label: string; durability: string; writesPerSync: string }> = [
  {
    id: 'sqlite-full-group',
    label: 'SQLite FULL, group commit on (default)',
    durability: 'fsync before resolve, shared across runs',
    writesPerSync: 'all of one event-loop turn',
  },
  { id: 'sqlite-full', label: 'SQLite FULL, groupCommit: false', durability: 'fsync per commit', writesPerSync: '1' },
  {
    id: 'sqlite-normal',
    label: 'SQLite NORMAL, groupCommit: false',
    durability: 'survives process crash, not power loss',
    writesPerSync: 'none (no fsync)',
  },
];

interface Sample {
  wallMs: number;
  steps: number;
  writes: number;
  latencies: number[];
}

function openVariant(id: VariantId): DurableStore {
  const path = `${tempDir(`throughput-${id}`)}/cairn.db`;
  return createSqliteStore({
    path,
    synchronous: id === 'sqlite-normal' ? 'normal' : 'full',
    groupCommit: id === 'sqlite-full-group',
  });
}

async function measure(id: VariantId, runs: number, steps: number): Promise<Sample> {
  const opened = openVariant(id);
  const counting = countingStore(opened);
  const returned = new Map<string, number>();
  const latencies: number[] = [];
  const workflow = defineWorkflow('bench-throughput', async (ctx, input: { steps: number }) => {
    let sum = 0;
    for (let index = 0; index < input.steps; index++) {
      sum += await ctx.step('s', (step) => {
        returned.set(`${step.runId}/${step.stepId}`, performance.now());
        return index;
      });
    }
    return sum;
  });
  const runtime = createRuntime({
    store: counting.store,
    workflows: [workflow],
    onEvent(event) {
      if (event.type !== 'step-end' || event.replayed) return;
      const at = returned.get(`${event.runId}/${event.stepId}`);
      if (at !== undefined) latencies.push(performance.now() - at);
    },
  });
  collectGarbage();
  const started = performance.now();
  const handles = await Promise.all(Array.from({ length: runs }, () => runtime.start(workflow, { steps })));
  await Promise.all(handles.map((handle) => handle.result()));
  const wallMs = performance.now() - started;
  await runtime.close();
  await opened.close();
  return {
    wallMs,
    steps: runs * steps,
    writes: writesOf(counting.counts),
    latencies,
  };
}

/** Run scenario 4 and print its table. */
export async function throughput(settings: BenchSettings, report: Report): Promise<void> {
  const { runs, steps, repetitions } = settings.throughput;
  const samples = new Map<VariantId, Sample[]>(VARIANTS.map((variant) => [variant.id, []]));
  for (const variant of VARIANTS) await measure(variant.id, Math.min(runs, 100), steps); // warm-up
  for (let repetition = 0; repetition < repetitions; repetition++) {
    for (const variant of rotate(VARIANTS, repetition)) samples.get(variant.id)!.push(await measure(variant.id, runs, steps));
  }
  const stepsPerSecond = (id: VariantId): number => median(samples.get(id)!.map((s) => s.steps / (s.wallMs / 1000)));
  const full = stepsPerSecond('sqlite-full');
  report.paragraph(
    `${grouped(runs)} runs × ${steps} steps started together in one runtime (one process, one SQLite connection); ` +
      `one warm-up, then ${repetitions} repetitions in rotated order, medians shown (latency percentiles are over all steps of the median-throughput ` +
      "repetition). Commit latency = step function returned → its commit resolved. Writes include each run's " +
      'createRun, run-start and run-end.',
  );
  report.table({
    headers: [
      'variant',
      'durability when a commit resolves',
      'steps/s',
      'vs FULL',
      'writes/s',
      'p50 commit ms',
      'p99 commit ms',
      'writes per fsync',
    ],
    rows: VARIANTS.map((variant) => {
      const list = samples.get(variant.id)!;
      const rate = stepsPerSecond(variant.id);
      const typical = [...list].sort((a, b) => a.wallMs - b.wallMs)[Math.floor(list.length / 2)]!;
      return [
        variant.label,
        variant.durability,
        grouped(rate),
        ratio(rate / full),
        grouped(median(list.map((s) => s.writes / (s.wallMs / 1000)))),
        millis(percentile(typical.latencies, 50)),
        millis(percentile(typical.latencies, 99)),
        variant.writesPerSync,
      ];
    }),
  });
  report.paragraph(
    'The engine batches the parallel steps of one run into one append (its per-run commit queue); the SQLite ' +
      "store's group commit (ADR 0180) batches across runs: the writes of one event-loop turn run in one " +
      'transaction, each in its own savepoint, and resolve after its one synced COMMIT. "vs FULL" compares with ' +
      'one transaction and one fsync per write (`groupCommit: false`).',
  );
  await memoryRows(settings, report);
}

/**
 * RSS of driving R concurrent runs, each measured in a fresh process (throughput-child.ts): the
 * bench process's own RSS also holds every scenario run before (LangGraph's among them).
 */
async function memoryRows(settings: BenchSettings, report: Report): Promise<void> {
  const { runs, steps, repetitions } = settings.throughput;
  const samples: ThroughputChildMemory[] = [];
  for (let repetition = 0; repetition < repetitions; repetition++) {
    const path = `${tempDir('throughput-rss')}/cairn.db`;
    samples.push((await runJsonChild<ThroughputChildMemory>(CHILD, { path, runs, steps }, 300_000)).value);
  }
  const pick = (get: (sample: ThroughputChildMemory) => number): number => median(samples.map(get));
  const peak = pick((sample) => sample.peakRssBytes);
  const before = pick((sample) => sample.rssBeforeBytes);
  report.paragraph(
    `Memory of one process driving ${grouped(runs)} concurrent runs × ${steps} steps (SQLite FULL, group commit), ` +
      `measured in a fresh \`node\` process per repetition (${repetitions}, medians). "RSS before" is the process with ` +
      'the modules loaded (Node and Cairn, compiled to plain JavaScript as the published packages are) before the store is opened; ' +
      '"peak RSS" the highest RSS sampled while the runs were in flight (every 5 ms and every 100 step results); ' +
      '"heap live per run" the heap after a collection with every run in flight, less the heap before, per run. ' +
      'Goal: peak RSS < 200 MB.',
  );
  report.table({
    headers: ['runs × steps', 'RSS before', 'peak RSS', 'peak − before', 'heap at peak', 'heap live per run', 'steps/s'],
    rows: [
      [
        `${grouped(runs)} × ${steps}`,
        bytes(before),
        bytes(peak),
        bytes(pick((sample) => sample.peakRssBytes - sample.rssBeforeBytes)),
        bytes(pick((sample) => sample.heapAtPeakBytes)),
        bytes(pick((sample) => (sample.heapLiveBytes - sample.heapBeforeBytes) / runs)),
        grouped(pick((sample) => sample.steps / (sample.wallMs / 1000))),
      ],
    ],
  });
  report.budget({
    budget: `RSS of one process driving ${grouped(runs)} concurrent runs (SQLite FULL, group commit; fresh process)`,
    target: '< 200 MB',
    measured: `${bytes(peak)} (${bytes(before)} before the store was opened)`,
    met: peak < 200e6,
  });
}
