/**
 * Diagnostic, not part of `pnpm bench`: what client-side work between two appends costs on a
 * socket store. On one private Postgres server, the store's `append` in a loop (as "store alone"
 * in scenario 5), the same loop with 50 and 150 µs of synchronous JS after each append, and the
 * engine's step workflow; wall and CPU (user + system) µs per step, medians of 5.
 *
 *   node bench/src/diagnostics/postgres-think-time.ts            # fsync on (the server's default)
 *   node bench/src/diagnostics/postgres-think-time.ts --no-sync  # synchronous_commit=off
 */
import { createRuntime, type DurableStore } from '@cairn/core';
import { createPostgresStore } from '@cairn/storage-postgres';
import { startPostgresServer } from '@cairn/test-rigs/postgres-server';
import { directRun } from '../lib/direct-run.ts';
import { median } from '../lib/stats.ts';
import { stepsWorkflow } from '../lib/workflows.ts';
import { captureStepBytes } from '../scenarios/step-overhead.ts';

const STEPS = 1000;
const REPETITIONS = 5;
const noSync = process.argv.includes('--no-sync');

function spin(micros: number): void {
  const end = performance.now() + micros / 1000;
  while (performance.now() < end);
}

/** `store` whose `append` spends `micros` of synchronous work after each reply. */
function thinking(store: DurableStore, micros: number): DurableStore {
  return {
    ...store,
    async append(...args) {
      const record = await store.append(...args);
      spin(micros);
      return record;
    },
  };
}

const server = await startPostgresServer(noSync ? { settings: { synchronous_commit: 'off' } } : {});
const store = createPostgresStore({ connectionString: server.url, schema: 'think_time' });
const runtime = createRuntime({ store, workflows: [stepsWorkflow] });
try {
  const { appends } = await captureStepBytes();
  let run = 0;
  const variants: Array<[string, () => Promise<void>]> = [
    ['store alone', () => directRun(store, `alone-${run++}`, STEPS, appends)],
    ['store alone + 50 µs JS', () => directRun(thinking(store, 50), `think50-${run++}`, STEPS, appends)],
    ['store alone + 150 µs JS', () => directRun(thinking(store, 150), `think150-${run++}`, STEPS, appends)],
    ['engine', async () => (await runtime.start(stepsWorkflow, { steps: STEPS })).result().then(() => undefined)],
  ];
  for (const [, run] of variants) await run();
  const samples = new Map<string, { wall: number[]; cpu: number[] }>();
  for (let repetition = 0; repetition < REPETITIONS; repetition++) {
    for (const [name, run] of variants) {
      const cpu = process.cpuUsage();
      const started = performance.now();
      await run();
      const used = process.cpuUsage(cpu);
      const entry = samples.get(name) ?? { wall: [], cpu: [] };
      entry.wall.push(((performance.now() - started) * 1000) / STEPS);
      entry.cpu.push((used.user + used.system) / STEPS);
      samples.set(name, entry);
    }
  }
  console.log(`postgres ${noSync ? 'synchronous_commit=off' : 'fsync on'}, ${STEPS} steps, medians of ${REPETITIONS}`);
  console.log('| variant | wall µs/step | client CPU µs/step |\n|---|---:|---:|');
  for (const [name, { wall, cpu }] of samples)
    console.log(`| ${name} | ${median(wall).toFixed(0)} | ${median(cpu).toFixed(0)} |`);
} finally {
  await runtime.close();
  await store.close();
  await server.remove();
}
