/**
 * Diagnostic, not part of `pnpm bench`: does Postgres share WAL syncs between concurrent runs'
 * appends? Every append is its own autocommitted statement and is acknowledged only after its own
 * commit is durable; the server flushes the WAL once for every commit that is waiting when it
 * syncs (its group commit). On one private server (fsync on), C runs × 40 steps driven at once by
 * one runtime, for C = 1, 8 and 32: steps/s, transactions committed (`pg_stat_database.xact_commit`,
 * which counts every transaction, reads included) and WAL syncs (`pg_stat_wal.wal_sync`) over the
 * run, and transactions per sync.
 *
 *   node bench/src/diagnostics/postgres-group-commit.ts
 */
import { createRuntime, defineWorkflow } from '@cairn/core';
import { createPostgresStore } from '@cairn/storage-postgres';
import { startPostgresServer } from '@cairn/test-rigs/postgres-server';
import pg from 'pg';

const STEPS = 40;
const server = await startPostgresServer({});
const stats = new pg.Client({ connectionString: server.url });
await stats.connect();

async function counters(): Promise<{ commits: number; syncs: number }> {
  const commits = await stats.query<{ n: string }>(
    'SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()',
  );
  const syncs = await stats.query<{ n: string }>('SELECT wal_sync AS n FROM pg_stat_wal');
  return { commits: Number(commits.rows[0]!.n), syncs: Number(syncs.rows[0]!.n) };
}

try {
  console.log(`postgres, fsync on, ${STEPS} steps per run, one runtime (pool of 10 connections)`);
  console.log('| concurrent runs | steps/s | transactions | WAL syncs | transactions per sync |\n|---:|---:|---:|---:|---:|');
  for (const concurrency of [1, 8, 32]) {
    const store = createPostgresStore({ connectionString: server.url, schema: `group_${concurrency}` });
    const job = defineWorkflow('job', async (ctx, n: number) => {
      let sum = n;
      for (let step = 0; step < STEPS; step++) sum += await ctx.step('s', () => step);
      return sum;
    });
    const runtime = createRuntime({ store, workflows: [job] });
    await (await runtime.start(job, 0)).result(); // migrations and prepared statements out of the way
    // Statistics are sent by backends when they go idle; wait for them to settle either side.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const before = await counters();
    const started = performance.now();
    const handles = await Promise.all(Array.from({ length: concurrency }, (_, n) => runtime.start(job, n)));
    await Promise.all(handles.map((handle) => handle.result()));
    const seconds = (performance.now() - started) / 1000;
    await runtime.close();
    await store.close();
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const after = await counters();
    const commits = after.commits - before.commits;
    const syncs = after.syncs - before.syncs;
    const steps = handles.length * STEPS;
    console.log(
      `| ${concurrency} | ${(steps / seconds).toFixed(0)} | ${commits} | ${syncs} | ${(commits / Math.max(syncs, 1)).toFixed(2)} |`,
    );
  }
} finally {
  await stats.end();
  await server.stop();
}
