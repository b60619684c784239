/**
 * Scenario 5, Postgres: on one private server (the test rig: fsync on, 127.0.0.1), per-step
 * overhead of Cairn's Postgres store against a raw single-row INSERT commit of the same bytes and
 * against DBOS Transact's steps, side by side (ADR 0070: rotated order, medians); then throughput
 * with 1, 2 and 4 worker processes serving one store.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRuntime } from '@cairn/core';
import { createPostgresStore } from '@cairn/storage-postgres';
import { startPostgresServer } from '@cairn/test-rigs/postgres-server';
import pg from 'pg';
import { type CapturedAppend, directRun } from '../lib/direct-run.ts';
import { micros, overheadCells, ratio } from '../lib/format.ts';
import { overheadBudget, type Report } from '../lib/report.ts';
import type { BenchSettings } from '../lib/settings.ts';
import { median } from '../lib/stats.ts';
import { collectGarbage, rotate, timeMs } from '../lib/timing.ts';
import type { Variant } from '../lib/variants.ts';
import { plainLoop, stepsWorkflow } from '../lib/workflows.ts';
import { dbosVariant } from './postgres-dbos.ts';
import { captureStepBytes } from './step-overhead.ts';

function cairnVariant(url: string): Variant {
  const store = createPostgresStore({ connectionString: url, schema: 'bench_cairn' });
  const runtime = createRuntime({ store, workflows: [stepsWorkflow] });
  return {
    name: 'cairn',
    run: async (steps) => (await runtime.start(stepsWorkflow, { steps })).result(),
    async close() {
      await runtime.close();
      await store.close();
    },
  };
}

/** The store's `append` called directly with the captured entry and patch per step, no engine. */
function storeAloneVariant(url: string, appends: readonly CapturedAppend[]): Variant {
  const store = createPostgresStore({ connectionString: url, schema: 'bench_store_alone' });
  let run = 0;
  return {
    name: 'store',
    run: (steps) => directRun(store, `direct-${++run}`, steps, appends),
    close: () => store.close(),
  };
}

type StepBytes = { kind: string; key: string; payload: string; createdAt: number };

/** A variant on its own `pg` client: `ddl` run once, then `write` per step. */
async function rawVariant(
  url: string,
  name: string,
  ddl: string[],
  write: (client: pg.Client, entry: StepBytes, index: number) => Promise<void>,
  entries: StepBytes[],
): Promise<Variant> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (const statement of ddl) await client.query(statement);
  return {
    name,
    async run(steps) {
      for (let index = 0; index < steps; index++) await write(client, entries[index % entries.length]!, index);
    },
    close: () => client.end(),
  };
}

const ENTRIES_TABLE = (table: string) =>
  `CREATE TABLE IF NOT EXISTS ${table} (run_id text COLLATE "C" NOT NULL, seq int8 NOT NULL, kind text NOT NULL, key text NOT NULL, payload bytea NOT NULL, created_at float8 NOT NULL, PRIMARY KEY (run_id, seq))`;

/** One autocommitted single-row INSERT per step (prepared once), of the entry a step writes. */
function rawInsertVariant(url: string, entries: StepBytes[]): Promise<Variant> {
  let seq = 0;
  return rawVariant(
    url,
    'raw',
    [ENTRIES_TABLE('bench_raw')],
    async (client, entry) => {
      await client.query({
        name: 'bench_raw_insert',
        text: 'INSERT INTO bench_raw (run_id, seq, kind, key, payload, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
        values: ['raw', ++seq, entry.kind, entry.key, Buffer.from(entry.payload), entry.createdAt],
      });
    },
    entries,
  );
}

/**
 * The header floor: one statement per step that does what any journal with a run header must — a
 * CAS update of a minimal header row (last_seq, step, updated_at) and the entry's INSERT, in one
 * autocommitted transaction (the shape of Cairn's append, with 4 header columns instead of 20).
 * Each variant instance starts its own run, so the CAS never sees another's rows.
 */
function rawHeaderVariant(url: string, entries: StepBytes[]): Promise<Variant> {
  let seq = 0;
  return rawVariant(
    url,
    'raw+header',
    [
      'CREATE TABLE IF NOT EXISTS bench_raw_head (run_id text COLLATE "C" PRIMARY KEY, last_seq int8 NOT NULL, step int4 NOT NULL, updated_at float8 NOT NULL)',
      ENTRIES_TABLE('bench_raw_head_entries'),
      'TRUNCATE bench_raw_head, bench_raw_head_entries',
      "INSERT INTO bench_raw_head VALUES ('raw', 0, 0, 0)",
    ],
    async (client, entry, index) => {
      const result = await client.query({
        name: 'bench_raw_head_append',
        text:
          'WITH head AS (UPDATE bench_raw_head SET last_seq = $2 + 1, step = $3, updated_at = $7 WHERE run_id = $1 AND last_seq = $2 RETURNING last_seq) ' +
          'INSERT INTO bench_raw_head_entries (run_id, seq, kind, key, payload, created_at) SELECT $1, $2 + 1, $4, $5, $6, $7 FROM head RETURNING seq',
        values: ['raw', seq, index, entry.kind, entry.key, Buffer.from(entry.payload), entry.createdAt],
      });
      if (result.rowCount !== 1) throw new Error('bench_raw_head: the CAS on last_seq failed');
      seq++;
    },
    entries,
  );
}

async function overhead(url: string, settings: BenchSettings, report: Report): Promise<void> {
  const bytes = await captureStepBytes();
  const sizes = settings.quick
    ? [{ steps: 50, repetitions: 3 }]
    : [
        { steps: 100, repetitions: 7 },
        { steps: 1000, repetitions: 3 },
      ];
  const dbos = await dbosVariant(url);
  const variants: Variant[] = [
    { name: 'loop', run: plainLoop, close: async () => undefined },
    cairnVariant(url),
    storeAloneVariant(url, bytes.appends),
    await rawInsertVariant(url, bytes.entries),
    await rawHeaderVariant(url, bytes.entries),
    ...(dbos.variant ? [dbos.variant] : []),
  ];
  const rows: string[][] = [];
  for (const { steps, repetitions } of sizes) {
    for (const variant of variants) await variant.run(Math.min(steps, 50));
    const samples = new Map<string, number[]>(variants.map((variant) => [variant.name, []]));
    for (let repetition = 0; repetition < repetitions; repetition++) {
      for (const variant of rotate(variants, repetition)) {
        collectGarbage();
        samples.get(variant.name)!.push(await timeMs(() => variant.run(steps)));
      }
    }
    const loop = median(samples.get('loop')!);
    const perStep = (name: string, minusLoop: boolean) => {
      const values = samples.get(name);
      return values ? ((median(values) - (minusLoop ? loop : 0)) / steps) * 1000 : Number.NaN;
    };
    const ours = perStep('cairn', true);
    const alone = perStep('store', false);
    const raw = perStep('raw', false);
    const rawHeader = perStep('raw+header', false);
    const theirs = perStep('dbos', true);
    const target = overheadBudget(report, `per-step overhead, Postgres, N = ${steps}, vs INSERT commit`, ours, raw);
    // What each framework adds above the durable write itself: (framework − raw) per step.
    const aboveRaw = (theirs - raw) / (ours - raw);
    if (!Number.isNaN(theirs)) {
      report.budget({
        budget: `cost above a raw INSERT per step, Postgres, N = ${steps}, DBOS vs Cairn`,
        target: '≥ 5× less than DBOS',
        measured: `${ratio(aboveRaw)} (DBOS +${micros(theirs - raw)} vs Cairn +${micros(ours - raw)} µs)`,
        met: aboveRaw >= 5,
      });
    }
    rows.push([
      ...overheadCells(steps, repetitions, ours, alone, raw),
      micros(rawHeader),
      ratio(rawHeader / raw),
      Number.isNaN(theirs) ? 'n/a' : micros(theirs),
      Number.isNaN(theirs) ? 'n/a' : ratio(theirs / ours),
      Number.isNaN(theirs) ? 'n/a' : ratio(aboveRaw),
      target,
    ]);
  }
  for (const variant of variants) await variant.close();
  await dbos.shutdown();
  report.heading(3, 'Per-step overhead on Postgres: Cairn, a raw INSERT commit, DBOS Transact');
  report.paragraph(
    'One private server (fsync on, 127.0.0.1, the test rig), all variants side by side in rotated order. "Cairn" and ' +
      '"DBOS" = (run time − plain loop) / N for a workflow of N trivial sequential steps; "raw" = one autocommitted ' +
      'single-row INSERT per step of the same step-end bytes, prepared once; "store alone" = the store\'s `append` called ' +
      'directly with the entry and header patch the engine writes per step (no engine); "raw + header" = the header ' +
      'floor: one autocommitted statement per step that CAS-updates a 4-column run header row (last_seq, step, ' +
      "updated_at) and inserts the entry, as any journal with a run header must (Cairn's header has 20 columns). " +
      '"above raw" = (DBOS − raw) / ' +
      '(Cairn − raw): what each adds on top of the durable write itself. DBOS: ' +
      (dbos.variant ? `@dbos-inc/dbos-sdk ${dbos.version}, \`DBOS.runStep\` per step.` : `not measured (${dbos.reason}).`),
  );
  report.table({
    headers: [
      'N',
      'reps',
      'Cairn µs/step',
      'store alone µs/step',
      'raw INSERT µs/step',
      'Cairn/raw',
      'store alone/raw',
      'raw + header µs/step',
      '(raw + header)/raw',
      'DBOS µs/step',
      'DBOS/Cairn',
      'DBOS/Cairn above raw',
      'target ≤ 1.3×',
    ],
    rows,
  });
}

interface Worker {
  child: ReturnType<typeof spawn>;
  ready: Promise<void>;
  exited: Promise<number | null>;
}

function startWorker(url: string, schema: string): Worker {
  const script = fileURLToPath(new URL('./postgres-serve-child.ts', import.meta.url));
  const child = spawn(process.execPath, [script, url, schema], { stdio: ['pipe', 'pipe', 'inherit'] });
  const ready = new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready')) resolve();
    });
    child.on('exit', () => reject(new Error('throughput worker exited before it was ready')));
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, ready, exited };
}

async function throughput(url: string, settings: BenchSettings, report: Report): Promise<void> {
  const runs = settings.quick ? 60 : 400;
  const steps = 10;
  const rows: string[][] = [];
  for (const count of [1, 2, 4]) {
    const schema = `bench_throughput_${count}`;
    const store = createPostgresStore({ connectionString: url, schema });
    const producer = createRuntime({ store, workflows: [stepsWorkflow] });
    for (let n = 0; n < runs; n += 20) {
      await Promise.all(
        Array.from({ length: Math.min(20, runs - n) }, () => producer.start(stepsWorkflow, { steps }, { drive: false })),
      );
    }
    const workers = Array.from({ length: count }, () => startWorker(url, schema));
    await Promise.all(workers.map((worker) => worker.ready));
    const started = performance.now();
    for (const worker of workers) worker.child.stdin?.write('go\n');
    while ((await store.stats()).byStatus.completed < runs) await new Promise((resolve) => setTimeout(resolve, 50));
    const seconds = (performance.now() - started) / 1000;
    for (const worker of workers) worker.child.stdin?.write('stop\n');
    await Promise.all(workers.map((worker) => worker.exited));
    await producer.close();
    await store.close();
    rows.push([String(count), String(runs), String(steps), seconds.toFixed(2), Math.round((runs * steps) / seconds).toString()]);
  }
  report.heading(3, 'Throughput on Postgres with 1, 2 and 4 worker processes');
  report.paragraph(
    `${runs} runs × ${steps} steps queued un-driven (\`drive: false\`), then drained by K processes each running ` +
      '`serve({ concurrency: 32 })` on the same store; wall clock from "go" to the last run completed. One repetition.',
  );
  report.table({ headers: ['workers', 'runs', 'steps/run', 'seconds', 'steps/s'], rows });
}

/** Run scenario 5 on a private server, removed at the end. */
export async function postgresScenario(settings: BenchSettings, report: Report): Promise<void> {
  let server: Awaited<ReturnType<typeof startPostgresServer>>;
  try {
    server = await startPostgresServer();
  } catch (error) {
    report.paragraph(`Not measured: ${(error as Error).message}`);
    return;
  }
  try {
    await overhead(server.url, settings, report);
    await throughput(server.url, settings, report);
  } finally {
    await server.remove();
  }
}
