// Crash recovery without user code: three processes serve one SQLite file, a fourth (this test)
// queues 60 runs; one server is SIGKILLed midway and another stopped cleanly. Every run completes,
// its once step charged exactly once; the cleanly stopped server's runs are taken over without a
// lease wait, the killed one's only after its lease ran out.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRuntime, defineWorkflow } from '@cairn/core';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, describe, expect, it } from 'vitest';
import { fleetChildren, holding, startWorker, waitFor } from '../test/test-support/serve-workers.ts';
import { createSqliteStore } from './sqlite/sqlite-store.ts';

const temp = makeTempDir('serve-fleet');
afterAll(() => {
  for (const child of fleetChildren) child.kill('SIGKILL');
  temp.remove();
});

describe('serve() fleet on one SQLite file', () => {
  it('3 serving processes, 60 queued runs, one SIGKILLed and one stopped midway: every run completes, each charge once; a clean stop hands over without a lease wait', async () => {
    const db = join(temp.path, 'fleet.db');
    const ledger = join(temp.path, 'ledger.txt');
    const leaseMs = 4_000;
    // The fourth process: queue the runs (this test's own runtime never drives them).
    const store = createSqliteStore({ path: db });
    const job = defineWorkflow('job', async (_ctx, n: number) => n);
    const producer = createRuntime({ store, workflows: [job], owner: 'producer' });
    const workers = await Promise.all(['w0', 'w1', 'w2'].map((name) => startWorker('sqlite', db, ledger, name, leaseMs)));
    const runIds: string[] = [];
    for (let n = 0; n < 60; n++) runIds.push((await producer.start(job, n, { drive: false, runId: `job-${n}` })).runId);
    const done = (): number => workers.reduce((sum, w) => sum + w.lines.filter((l) => l.event === 'done').length, 0);

    // Midway: kill w0 while it holds runs.
    await waitFor(() => done() >= 12 && holding(workers[0]!).size > 0, 'w0 to hold runs after 12 are done');
    const killedHeld = holding(workers[0]!);
    workers[0]!.child.kill('SIGKILL');
    const killedAt = Date.now();
    await workers[0]!.exited;

    // Then stop w1 cleanly while it holds runs.
    await waitFor(() => holding(workers[1]!).size > 0, 'w1 to hold runs');
    workers[1]!.child.stdin?.write('stop\n');
    await waitFor(() => workers[1]!.lines.some((l) => l.event === 'stopped'), 'w1 to stop');
    const stoppedAt = workers[1]!.lines.find((l) => l.event === 'stopped')!.at!;
    const stoppedHeld = holding(workers[1]!);
    expect(await workers[1]!.exited).toBe(0);

    // w2 finishes everything.
    const check = createSqliteStore({ path: db });
    await waitFor(() => holding(workers[2]!).size === 0 && done() >= 60, 'all runs to finish', 80_000).catch(() => undefined);
    for (let i = 0; i < 100; i++) {
      const page = await check.listRuns({ status: ['completed'], limit: 100 });
      if (page.runs.length === 60) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const completed = (await check.listRuns({ status: ['completed'], limit: 100 })).runs;
    expect(completed.map((run) => run.runId).sort(), workers[2]!.stderr()).toEqual([...runIds].sort());

    // Each charge exactly once: one ledger line per run, under one idempotency key.
    const lines = readFileSync(ledger, 'utf8').trim().split('\n');
    const byRun = new Map<string, string[]>();
    for (const line of lines) {
      const [key, runId] = line.split(' ');
      byRun.set(runId!, [...(byRun.get(runId!) ?? []), key!]);
    }
    expect(byRun.size).toBe(60);
    for (const [runId, keys] of byRun) expect(keys, runId).toHaveLength(1);

    // Every run's journal: dense, one run-end, completed.
    for (const runId of runIds) {
      const entries = await check.readEntries(runId);
      expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
      expect(entries.filter((e) => e.kind === 'run-end')).toHaveLength(1);
      expect(entries.filter((e) => e.kind === 'step-end' && e.key.startsWith('charge'))).toHaveLength(1);
    }

    // Takeover times, measured from the survivors' `taken` lines.
    const takenAt = (runId: string): number =>
      workers[2]!.lines.find((l) => l.event === 'taken' && l.runId === runId && l.at! >= killedAt)?.at ?? Number.NaN;
    const cleanTakeovers = [...stoppedHeld].map((runId) => takenAt(runId) - stoppedAt);
    const crashTakeovers = [...killedHeld]
      .map((runId) => ({ runId, ms: takenAt(runId) - killedAt }))
      .filter((t) => Number.isFinite(t.ms));
    console.log(
      `[serve fleet] leaseMs ${leaseMs}: takeover after clean stop ${cleanTakeovers.map((ms) => `${ms} ms`).join(', ')}; after SIGKILL ${crashTakeovers.map((t) => `${t.ms} ms`).join(', ')}`,
    );
    expect(stoppedHeld.size).toBeGreaterThan(0);
    for (const ms of cleanTakeovers) expect(ms, 'a released run is taken at the next poll').toBeLessThan(leaseMs / 2);
    // The killed server renewed its lease every leaseMs/3: its runs were free only after that ran out.
    expect(crashTakeovers.length).toBeGreaterThan(0);
    for (const t of crashTakeovers)
      expect(t.ms, `${t.runId} waited for the dead lease`).toBeGreaterThanOrEqual((leaseMs * 2) / 3 - 100);
    expect(existsSync(db)).toBe(true);
    workers[2]!.child.stdin?.write('stop\n');
    expect(await workers[2]!.exited).toBe(0);
    await producer.close();
    await store.close();
    await check.close();
  }, 150_000);
});
