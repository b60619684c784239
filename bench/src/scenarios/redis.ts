/**
 * Scenario 1d, per-step overhead on Redis: the step workflow through the engine on
 * `@cairn/storage-redis`, the store alone, and the raw durable appends (RPUSH, XADD) of the same
 * bytes, all on one private redis-server with `appendonly yes` + `appendfsync always` (ADR 0070,
 * 0071: every repetition measures every variant in a rotated order; medians; ours / raw).
 */
import { createRuntime } from '@cairn/core';
import { createRedisStore } from '@cairn/storage-redis';
import { startRedisServer } from '@cairn/test-rigs/redis-server';
import { Redis } from 'ioredis';
import { directRun } from '../lib/direct-run.ts';
import { micros, ratio } from '../lib/format.ts';
import type { Report } from '../lib/report.ts';
import type { BenchSettings } from '../lib/settings.ts';
import { median } from '../lib/stats.ts';
import { collectGarbage, rotate, timeMs } from '../lib/timing.ts';
import type { Variant } from '../lib/variants.ts';
import { plainLoop, stepsWorkflow } from '../lib/workflows.ts';
import { captureStepBytes } from './step-overhead.ts';

/** Run scenario 1d and print its table. */
export async function redisOverhead(settings: BenchSettings, report: Report): Promise<void> {
  const server = await startRedisServer({ label: 'bench' });
  const bytes = await captureStepBytes();
  const payloads = bytes.entries.map((entry) => entry.payload);
  const raw = new Redis(server.url);
  const engineStore = await createRedisStore({ url: server.url, prefix: 'engine:' });
  const aloneStore = await createRedisStore({ url: server.url, prefix: 'alone:' });
  const runtime = createRuntime({ store: engineStore, workflows: [stepsWorkflow] });
  let lists = 0;
  let runs = 0;
  const variants: Variant[] = [
    { name: 'loop', run: plainLoop, close: async () => undefined },
    {
      name: 'ours',
      run: async (steps) => (await runtime.start(stepsWorkflow, { steps })).result(),
      close: () => runtime.close(),
    },
    {
      name: 'alone',
      run: (steps) => directRun(aloneStore, `direct-${++runs}`, steps, bytes.appends),
      close: () => aloneStore.close(),
    },
    {
      name: 'raw-rpush',
      async run(steps) {
        const key = `raw:list:${++lists}`;
        for (let index = 0; index < steps; index++) await raw.rpush(key, payloads[index % payloads.length] as string);
      },
      close: async () => undefined,
    },
    {
      name: 'raw-xadd',
      async run(steps) {
        const key = `raw:stream:${++lists}`;
        for (let index = 0; index < steps; index++) await raw.xadd(key, '*', 'p', payloads[index % payloads.length] as string);
      },
      close: async () => undefined,
    },
  ];
  try {
    const rows: string[][] = [];
    for (const { steps, repetitions } of settings.remoteOverhead) {
      for (const variant of variants) await variant.run(Math.min(steps, 100));
      const samples = new Map<string, number[]>(variants.map((variant) => [variant.name, []]));
      for (let repetition = 0; repetition < repetitions; repetition++) {
        for (const variant of rotate(variants, repetition)) {
          collectGarbage();
          samples.get(variant.name)?.push(await timeMs(() => variant.run(steps)));
        }
      }
      const perStep = (name: string, minusLoop = false) =>
        ((median(samples.get(name) ?? []) - (minusLoop ? median(samples.get('loop') ?? []) : 0)) / steps) * 1000;
      const ours = perStep('ours', true);
      for (const [rawName, label] of [
        ['raw-rpush', 'RPUSH'],
        ['raw-xadd', 'XADD'],
      ] as const) {
        const baseline = perStep(rawName);
        rows.push([
          String(steps),
          String(repetitions),
          label,
          micros(ours),
          micros(perStep('alone')),
          micros(baseline),
          ratio(ours / baseline),
        ]);
      }
    }
    report.heading(3, 'Per-step overhead on Redis (appendonly yes, appendfsync always)');
    report.paragraph(
      `µs per step, median of the repetitions shown, on a private redis-server ${server.url.replace(/^redis:\/\//, '')} started for this run ` +
        `(Debian's 7.0; no WAITAOF). "ours" = (workflow run time − plain loop) / N through \`@cairn/storage-redis\` (one Lua script per ` +
        `write); "store alone" = its \`append\` called directly with the captured entry and patch; "raw" = one RPUSH (or XADD) of the same ` +
        `step-end payload per step, awaited, on the same server. Every write waits for the AOF fsync, so the disk dominates; ` +
        `on a loaded machine the figures are noisy.`,
    );
    report.table({ headers: ['steps', 'reps', 'raw', 'ours', 'store alone', 'raw µs', 'ours / raw'], rows });
  } finally {
    for (const variant of variants) await variant.close().catch(() => undefined);
    await engineStore.close();
    raw.disconnect();
    await server.stop({ remove: true });
  }
}
