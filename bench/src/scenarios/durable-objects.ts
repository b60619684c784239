/**
 * Scenario 1, Durable Objects row: the step workflow on Cairn's Durable Objects store inside a
 * SQLite-backed object in workerd (Miniflare, persisting to a temp dir), next to the raw baseline in
 * the same object — one `transactionSync` INSERT per step of the same payloads.
 *
 * Timed from Node around each request (minus an empty request), and inside the object with
 * `performance.now()` where workerd lets the clock move (it may not advance without I/O).
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';
import { micros, overheadCells, ratio, verdict } from '../lib/format.ts';
import type { Report } from '../lib/report.ts';
import type { BenchSettings } from '../lib/settings.ts';
import { median } from '../lib/stats.ts';
import { tempDir } from '../lib/temp-dir.ts';
import { rotate } from '../lib/timing.ts';
import { captureStepBytes } from './step-overhead.ts';

type Kind = 'ours' | 'alone' | 'raw' | 'loop' | 'noop';

async function bundleWorker(dir: string): Promise<string> {
  const outfile = join(dir, 'worker.mjs');
  await build({
    entryPoints: [join(import.meta.dirname, '..', 'durable-objects', 'bench-worker.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2023',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['cloudflare:*'],
    logLevel: 'silent',
  });
  return outfile;
}

/** Run the Durable Objects row of scenario 1 and print its table. */
export async function durableObjectsOverhead(settings: BenchSettings, report: Report): Promise<void> {
  const dir = tempDir('durable-objects');
  const scriptPath = await bundleWorker(dir);
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: '127.0.0.1',
      port: 0,
      resourcePersistencePath: join(dir, 'state'),
      workers: [
        {
          name: 'bench',
          modules: true,
          modulesRoot: dir,
          scriptPath,
          compatibilityDate: '2026-11-01',
          durableObjects: { BENCH: { className: 'BenchObject', useSQLite: true } },
        },
      ],
    }),
  );
  const rows: string[][] = [];
  try {
    const bytes = await captureStepBytes();
    await mf.dispatchFetch('http://127.0.0.1/setup', { method: 'POST', body: JSON.stringify(bytes.appends) });
    const call = async (kind: Kind, steps: number): Promise<{ outsideMs: number; insideMs: number }> => {
      const started = performance.now();
      const response = await mf.dispatchFetch(`http://127.0.0.1/${kind}?steps=${steps}`);
      const { insideMs } = (await response.json()) as { insideMs: number };
      return { outsideMs: performance.now() - started, insideMs };
    };
    const kinds: Kind[] = ['ours', 'alone', 'raw', 'loop', 'noop'];
    for (const { steps, repetitions } of settings.remoteOverhead) {
      for (const kind of kinds) await call(kind, Math.min(steps, 200));
      const samples = new Map<Kind, Array<{ outsideMs: number; insideMs: number }>>(kinds.map((kind) => [kind, []]));
      for (let repetition = 0; repetition < repetitions; repetition++)
        for (const kind of rotate(kinds, repetition)) samples.get(kind)!.push(await call(kind, steps));
      const outside = (kind: Kind): number => median(samples.get(kind)!.map((s) => s.outsideMs));
      const inside = (kind: Kind): number => median(samples.get(kind)!.map((s) => s.insideMs));
      const ours = ((outside('ours') - outside('loop')) / steps) * 1000;
      const raw = ((outside('raw') - outside('noop')) / steps) * 1000;
      const alone = ((outside('alone') - outside('noop')) / steps) * 1000;
      report.budget({
        budget: `per-step overhead, Durable Objects (workerd), N = ${steps}`,
        target: '≤ 1.30× raw',
        measured: `${ratio(ours / raw)} (${micros(ours)} vs ${micros(raw)} µs)`,
        met: ours / raw <= 1.3,
      });
      const perStep = (kind: Kind): string => micros((inside(kind) / steps) * 1000);
      rows.push([
        ...overheadCells(steps, repetitions, ours, alone, raw),
        verdict(ours / raw <= 1.3, `${ratio(ours / raw)} vs 1.30×`),
        inside('raw') > 0 ? `${perStep('ours')} / ${perStep('alone')} / ${perStep('raw')}` : 'clock frozen',
      ]);
    }
  } finally {
    await mf.dispose();
  }
  report.heading(3, 'Durable Objects (workerd via Miniflare)');
  report.paragraph(
    'The same N-step workflow inside one SQLite-backed Durable Object on `createDurableObjectStore(ctx.storage)`, ' +
      'against one `transactionSync` INSERT per step of the same payloads in the same object; "store alone" calls the ' +
      "store's `append` directly with the engine's entry and patch per step. Timed from Node around each request: ours = " +
      '(request − request running the plain loop) / N; alone and raw = (request − empty request) / N. ' +
      "workerd persists to a local SQLite file here; Cloudflare's replicated storage and output gates are not modelled.",
  );
  report.table({
    headers: [
      'N',
      'reps',
      'ours µs/step',
      'store alone µs/step',
      'raw µs/step',
      'ours/raw',
      'store alone/raw',
      'target ≤ 1.3×',
      'inside the object: ours / alone / raw µs/step',
    ],
    rows,
  });
}
