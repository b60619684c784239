/**
 * Scenario 4, throughput: R concurrent runs × S sequential steps in one process and one runtime.
 * Reported: steps per second (wall clock, all runs started together until all completed) and the
 * commit latency of each step — from its function returning to its commit resolving (the
 * runtime's `step-end` event is emitted right after the commit resolves).
 *
 * Variants: SQLite FULL (the default); SQLite NORMAL (no fsync per commit: weaker durability, for
 * reference); and a bench-only PROTOTYPE of cross-run group commit (NORMAL commits + one WAL
 * fdatasync per event-loop turn, each write resolving only after it: FULL-equivalent durability).
 */
import { createRuntime, type DurableStore, defineWorkflow } from '@cairn/core';
import { createSqliteStore } from '@cairn/storage-node';
import { countingStore, writesOf } from '../lib/counting-store.ts';
import { grouped, millis, ratio } from '../lib/format.ts';
import { type GroupCommitStats, groupCommitStore } from '../lib/group-commit-store.ts';
import type { Report } from '../lib/report.ts';
import type { BenchSettings } from '../lib/settings.ts';
import { median, percentile } from '../lib/stats.ts';
import { openStore } from '../lib/stores.ts';
import { tempDir } from '../lib/temp-dir.ts';
import { collectGarbage, rotate } from '../lib/timing.ts';

type VariantId = 'sqlite-full' | 'sqlite-normal' | 'group-commit';

const VARIANTS: Array<{ id: VariantId; label: string; durability: string }> = [
  { id: 'sqlite-full', label: 'SQLite FULL (default)', durability: 'fsync per commit' },
  { id: 'sqlite-normal', label: 'SQLite NORMAL', durability: 'survives process crash, not power loss' },
  { id: 'group-commit', label: 'PROTOTYPE group commit (bench only)', durability: 'fsync before resolve, shared across runs' },
];

interface Sample {
  wallMs: number;
  steps: number;
  writes: number;
  latencies: number[];
  sync?: GroupCommitStats;
}

function openVariant(id: VariantId): { store: DurableStore; sync?: GroupCommitStats; close(): Promise<void> } {
  if (id === 'sqlite-full' || id === 'sqlite-normal') {
    const opened = openStore(id, `throughput-${id}`);
    return { store: opened.store, close: () => opened.close() };
  }
  const path = `${tempDir('throughput-group')}/cairn.db`;
  const { store, stats } = groupCommitStore(createSqliteStore({ path, synchronous: 'normal' }), path);
  return { store, sync: stats, close: () => store.close() };
}

async function measure(id: VariantId, runs: number, steps: number): Promise<Sample> {
  const opened = openVariant(id);
  const counting = countingStore(opened.store);
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
    ...(opened.sync ? { sync: { ...opened.sync } } : {}),
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
        variant.id === 'sqlite-full'
          ? '1'
          : typical.sync
            ? (typical.sync.writes / typical.sync.syncs).toFixed(1)
            : 'none (no fsync)',
      ];
    }),
  });
  report.paragraph(
    'The engine already batches the parallel steps of one run into one append (its per-run commit queue). Across ' +
      'runs there is no group commit at the store level today: every append of every run is its own SQLite ' +
      'transaction and, with FULL, its own fsync, executed one after another on the event loop. The prototype row ' +
      'shows what a `batching` option could buy; it lives in bench/src/lib/group-commit-store.ts and is not part of ' +
      'any package.',
  );
}
