/**
 * Scenario 1, IndexedDB row: the step workflow on Cairn's IndexedDB store in Debian's Chromium
 * (driven by playwright-core, profile on disk so IndexedDB is not in memory), next to the raw
 * baseline in the same page — one `put` per step of the same payloads in a `readwrite` transaction
 * with `durability: 'strict'`. Uses the Chromium rig of @cairn/storage-indexeddb's tests.
 */
import { join } from 'node:path';
import { launchChromiumProcess, servePage } from '@cairn/test-rigs/chromium';
import type { BenchPage } from '../indexeddb/bench-page-api.ts';
import { overheadCells } from '../lib/format.ts';
import { overheadBudget, type Report } from '../lib/report.ts';
import type { BenchSettings } from '../lib/settings.ts';
import { median } from '../lib/stats.ts';
import { tempDir } from '../lib/temp-dir.ts';
import { rotate } from '../lib/timing.ts';
import { captureStepBytes } from './step-overhead.ts';

type Kind = 'ours' | 'alone' | 'raw' | 'loop';

// page.evaluate callbacks are serialized and run in the page: they can only name page globals.
type PageGlobal = { bench: BenchPage };

/** Run the IndexedDB row of scenario 1 and print its table. */
export async function indexedDbOverhead(settings: BenchSettings, report: Report): Promise<void> {
  const site = await servePage(join(import.meta.dirname, '..', 'indexeddb', 'bench-page.ts'), {
    optimizeDeps: ['@cairn/core > openai', '@cairn/core > zod', 'idb'],
  });
  const chromium = await launchChromiumProcess(join(tempDir('chromium-profile'), 'profile'));
  const rows: string[][] = [];
  let version = 'unknown';
  try {
    const tab = await chromium.context.newPage();
    await tab.goto(site.url);
    await tab.waitForFunction(() => 'bench' in globalThis, undefined, { timeout: 30_000 });
    const { appends } = await captureStepBytes();
    await tab.evaluate((given) => (globalThis as unknown as PageGlobal).bench.setup(given), appends);
    const run = (kind: Kind, steps: number): Promise<number> =>
      tab.evaluate(([which, n]) => (globalThis as unknown as PageGlobal).bench[which](n), [kind, steps] as const);
    const kinds: Kind[] = ['ours', 'alone', 'raw', 'loop'];
    for (const { steps, repetitions } of settings.remoteOverhead) {
      for (const kind of kinds) await run(kind, Math.min(steps, 200));
      const samples = new Map<Kind, number[]>(kinds.map((kind) => [kind, []]));
      for (let repetition = 0; repetition < repetitions; repetition++)
        for (const kind of rotate(kinds, repetition)) samples.get(kind)!.push(await run(kind, steps));
      const ours = ((median(samples.get('ours')!) - median(samples.get('loop')!)) / steps) * 1000;
      const alone = (median(samples.get('alone')!) / steps) * 1000;
      const raw = (median(samples.get('raw')!) / steps) * 1000;
      const target = overheadBudget(report, `per-step overhead, IndexedDB (Chromium), N = ${steps}`, ours, raw);
      rows.push([...overheadCells(steps, repetitions, ours, alone, raw), target]);
    }
    version = chromium.browser.version();
  } finally {
    await chromium.close();
    await site.close();
  }
  report.heading(3, 'IndexedDB (Chromium)');
  report.paragraph(
    "The same N-step workflow in a page on `createIndexedDBStore` (every commit `durability: 'strict'`), against one " +
      "`put` per step of the same payloads in a `readwrite` transaction with `durability: 'strict'`, awaited to " +
      '`tx.done`, in the same page. Timed in the page; ours = (run − plain loop) / N; "store alone" calls the ' +
      "store's `append` directly with the engine's entry and patch per step (no engine), alone = run / N. " +
      'Headless Debian Chromium with ' +
      `an on-disk profile in the temp dir (Chromium ${version}).`,
  );
  report.table({
    headers: ['N', 'reps', 'ours µs/step', 'store alone µs/step', 'raw µs/step', 'ours/raw', 'store alone/raw', 'target ≤ 1.3×'],
    rows,
  });
}
