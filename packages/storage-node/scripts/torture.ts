/**
 * Crash-torture the Node stores: `node scripts/torture.ts --store sqlite|file|postgres|redis|both --kills N
 * --seed S --workers W [--keep]`. Prints progress and a report per store; exits 1 on any violation.
 * `--store postgres` and `--store redis` start a private server (fsync on) for the run.
 */
import { parseArgs } from 'node:util';
import { formatTortureReport, runTorture } from '../test/torture/index.ts';
import { TORTURE_STORE_KINDS, type TortureStoreKind } from '../test/torture/torture-stores.ts';

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'both' },
    kills: { type: 'string', default: '100' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    workers: { type: 'string', default: '2' },
    keep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const usage = `usage: node scripts/torture.ts [--store ${TORTURE_STORE_KINDS.join('|')}|both] [--kills N] [--seed S] [--workers W] [--keep] [--json]`;
const kills = Number(values.kills);
const seed = Number(values.seed);
const workers = Number(values.workers);
// `both`: the two local stores (a server store is named on its own: it starts a private server).
const stores = (values.store === 'both' ? ['sqlite', 'file'] : [values.store]) as TortureStoreKind[];
if (
  values.help ||
  !stores.every((store) => TORTURE_STORE_KINDS.includes(store)) ||
  !Number.isInteger(kills) ||
  kills < 0 ||
  !Number.isInteger(seed) ||
  !Number.isInteger(workers) ||
  workers < 1 ||
  workers > 16
) {
  console.error(usage);
  process.exit(values.help ? 0 : 2);
}

let failed = false;
for (const store of stores) {
  const report = await runTorture({
    store,
    kills,
    seed,
    workers,
    keep: values.keep,
    onProgress: (line) => console.error(line),
  });
  console.log(values.json ? JSON.stringify(report) : formatTortureReport(report));
  failed ||= report.violationCount > 0 || !report.integrity.ok;
}
process.exit(failed ? 1 : 0);
