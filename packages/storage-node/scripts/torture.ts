/**
 * Crash-torture the Node stores: `node scripts/torture.ts --store sqlite|file|redis|both --kills N
 * --seed S --workers W [--keep]`. Prints progress and a report per store; exits 1 on any violation.
 * `--store redis` starts a private redis-server (appendfsync always) for the run, or uses
 * `--redis-url redis://HOST:PORT` when given.
 */
import { parseArgs } from 'node:util';
import { type RedisServer, startRedisServer } from '@cairn/test-rigs/redis-server';
import { formatTortureReport, runTorture } from '../test/torture/index.ts';
import type { TortureStoreKind } from '../test/torture/torture-report.ts';

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'both' },
    kills: { type: 'string', default: '100' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    workers: { type: 'string', default: '2' },
    keep: { type: 'boolean', default: false },
    'redis-url': { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const usage =
  'usage: node scripts/torture.ts [--store sqlite|file|redis|both] [--kills N] [--seed S] [--workers W] [--keep] [--json] [--redis-url URL]';
const kills = Number(values.kills);
const seed = Number(values.seed);
const workers = Number(values.workers);
const stores = values.store === 'both' ? (['sqlite', 'file'] as const) : ([values.store] as const);
if (
  values.help ||
  !stores.every((store) => store === 'sqlite' || store === 'file' || store === 'redis') ||
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
let server: RedisServer | undefined;
try {
  for (const store of stores as readonly TortureStoreKind[]) {
    let redisUrl = values['redis-url'];
    if (store === 'redis' && redisUrl === undefined) {
      server = await startRedisServer({ label: 'torture' });
      redisUrl = server.url;
    }
    const report = await runTorture({
      store,
      kills,
      seed,
      workers,
      keep: values.keep,
      onProgress: (line) => console.error(line),
      ...(redisUrl === undefined ? {} : { redisUrl }),
    });
    console.log(values.json ? JSON.stringify(report) : formatTortureReport(report));
    failed ||= report.violationCount > 0 || !report.integrity.ok;
  }
} finally {
  await server?.stop({ remove: true });
}
process.exit(failed ? 1 : 0);
