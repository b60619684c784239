/**
 * Scenario 1, store calls per step: how many writes (and reads) the engine asks of the store for
 * each step, counted with a wrapper store. The run's fixed calls (createRun, run-start, run-end)
 * are taken out by measuring the marginal cost: counts(2N) − counts(N), divided by N.
 */
import { createRuntime } from '@cairn/core';
import { countingStore, type StoreCounts, writesOf } from '../lib/counting-store.ts';
import { micros } from '../lib/format.ts';
import type { Report } from '../lib/report.ts';
import type { BenchSettings } from '../lib/settings.ts';
import { openStore, STORE_LABELS, type StoreKind } from '../lib/stores.ts';
import { stepsWorkflow } from '../lib/workflows.ts';

async function countRun(kind: StoreKind, steps: number, effect: 'once' | 'retry'): Promise<StoreCounts> {
  const opened = openStore(kind, `counts-${kind}`);
  const counting = countingStore(opened.store);
  const runtime = createRuntime({ store: counting.store, workflows: [stepsWorkflow] });
  await (await runtime.start(stepsWorkflow, { steps, effect })).result();
  await runtime.close();
  await opened.close();
  return counting.snapshot();
}

/** Marginal counts per step of `effect` steps on `kind`. */
async function perStep(kind: StoreKind, steps: number, effect: 'once' | 'retry'): Promise<StoreCounts> {
  const small = await countRun(kind, steps, effect);
  const large = await countRun(kind, 2 * steps, effect);
  const keys = Object.keys(small) as Array<keyof StoreCounts>;
  return Object.fromEntries(keys.map((key) => [key, (large[key] - small[key]) / steps])) as unknown as StoreCounts;
}

/** Run the write-count part of scenario 1 and print its table. */
export async function writeCounts(settings: BenchSettings, report: Report): Promise<Map<string, StoreCounts>> {
  const results = new Map<string, StoreCounts>();
  const rows: string[][] = [];
  for (const kind of ['memory', 'sqlite-full', 'file'] as const) {
    for (const effect of ['retry', 'once'] as const) {
      const counts = await perStep(kind, settings.writeCountSteps, effect);
      results.set(`${kind}/${effect}`, counts);
      const expected = effect === 'retry' ? 1 : 2;
      const reads = counts.getRun + counts.readEntries + counts.listRuns;
      report.budget({
        budget: `store calls per \`${effect}\` step, ${STORE_LABELS[kind]}`,
        target: `${expected} write${expected > 1 ? 's' : ''}, 0 reads`,
        measured: `${micros(writesOf(counts))} writes, ${micros(reads)} reads`,
        met: writesOf(counts) === expected && reads === 0,
      });
      rows.push([
        STORE_LABELS[kind],
        `\`${effect}\``,
        micros(writesOf(counts)),
        micros(counts.append),
        micros(counts.updateRun),
        micros(counts.entries),
        micros(counts.getRun + counts.readEntries + counts.listRuns),
        micros(counts.logicalBytes),
        writesOf(counts) === expected ? `met (${expected})` : `missed (expected ${expected})`,
      ]);
    }
  }
  report.heading(3, 'Store calls per step');
  report.paragraph(
    `Counted with a wrapper store; marginal per step = (counts of a ${2 * settings.writeCountSteps}-step run − counts of a ` +
      `${settings.writeCountSteps}-step run) / ${settings.writeCountSteps}, so the run's own createRun / run-start / run-end are ` +
      'excluded. Logical bytes = UTF-8 bytes of the payload strings handed to the store. DESIGN §8: one write for a ' +
      '`retry` step, two for a `once` step, no reads.',
  );
  report.table({
    headers: ['store', 'effect', 'writes/step', 'append', 'updateRun', 'entries', 'reads/step', 'logical B/step', 'budget'],
    rows,
  });
  return results;
}
