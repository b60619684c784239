// Four processes call resumeAll() on one SQLite file at the same moment, over 40 interrupted runs:
// 32 left `running` by SIGKILLed children (their 300 ms leases expired) and 8 paused on sleeps that
// are due. Every run must complete exactly once (one run-end, written by one process; each side
// effect once; no step run after its outcome was durable), with the uninterrupted output, and the
// processes must share the work.
import type { ChildProcess } from 'node:child_process';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkSqliteIntegrity } from '../../src/sqlite/sqlite-integrity.ts';
import { bundleTortureChild } from './child-bundle.ts';
import { createSpawner, placeIn, runBaseline, type Spawner } from './torture-setup.ts';
import { openTortureStore } from './torture-stores.ts';
import { verifyTorture } from './verify-torture.ts';
import { AGENT_WORKFLOW, type RunSpec, STEPS_WORKFLOW, slotRunId } from './workload-specs.ts';

const temp = makeTempDir('multi-resume');
const registry = new Set<ChildProcess>();
let spawner: Spawner;

beforeAll(async () => {
  const script = await bundleTortureChild(temp.path);
  spawner = createSpawner({ script, kind: 'sqlite', cacheDir: `${temp.path}/compile-cache`, registry });
});
afterEach(() => {
  for (const child of registry) child.kill('SIGKILL');
  registry.clear();
});
afterAll(() => temp.remove());

describe('four processes resuming one SQLite store at once', () => {
  it('complete each of 40 interrupted runs exactly once and split the work', { timeout: 150_000 }, async () => {
    const { base } = await runBaseline(spawner, temp.path, 'sqlite');
    const place = placeIn(temp.path, 'shared', 'sqlite');
    const specs: RunSpec[] = [];

    // 4 children × 8 runs (two of workflows, two of agents), each SIGKILLed once all 8 of its runs
    // are a few steps in — when the 8th run commits tick#8, or starts recording its first sale (that
    // side effect is in flight) — so every run started and none is done.
    // (One kind per child: a workflow of synchronous steps commits back to back and would starve an
    // agent waiting on timers in the same process.)
    await Promise.all(
      [0, 1, 2, 3].map(async (slot) => {
        const workflow = slot < 2 ? STEPS_WORKFLOW : AGENT_WORKFLOW;
        const runs = Array.from({ length: 8 }, (_, n): RunSpec => ({ runId: slotRunId(slot, n), workflow, variant: n % 4 }));
        specs.push(...runs);
        const child = spawner.spawn({
          mode: 'slot',
          slot,
          runs,
          leaseMs: 300,
          trigger:
            workflow === STEPS_WORKFLOW
              ? { event: 'step-end', prefixes: ['tick#8'], nth: 7 }
              : { event: 'step-start', prefixes: ['tool:record#0'], nth: 7 },
          ...place,
        });
        child.onTrigger(() => child.kill());
        expect((await child.exit).killed).toBe(true);
      }),
    );
    // 8 more runs parked on a 600 ms durable sleep by a child that then exits.
    const sleepers = Array.from(
      { length: 8 },
      (_, n): RunSpec => ({ runId: slotRunId(4, n), workflow: STEPS_WORKFLOW, variant: n % 4, sleepMs: 600 }),
    );
    specs.push(...sleepers);
    const parked = await spawner.spawn({ mode: 'park', slot: 4, runs: sleepers, ...place }).exit;
    expect(parked.code, parked.error ?? parked.stderr).toBe(0);

    const store = openTortureStore('sqlite', place.location);
    const records = await Promise.all(specs.map((spec) => store.getRun(spec.runId)));
    await store.close();
    const interrupted = records.filter((r) => r?.status === 'running');
    const sleeping = records.filter((r) => r?.status === 'paused' && r.pauseReason === 'sleep');
    expect(interrupted).toHaveLength(32);
    expect(sleeping).toHaveLength(8);
    // Resume once every lease ran out and every sleep is due.
    const dueAt = Math.max(...interrupted.map((r) => r!.lease!.expiresAt), ...sleeping.map((r) => r!.wakeAt!));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, dueAt - Date.now()) + 20));

    const resumers = [0, 1, 2, 3].map(() => spawner.spawn({ mode: 'resume-all', slot: -1, runs: [], leaseMs: 15_000, ...place }));
    await Promise.all(resumers.map((child) => child.ready));
    for (const child of resumers) child.child.stdin?.end('go\n');
    const exits = await Promise.all(resumers.map((child) => child.exit));
    for (const exit of exits) expect(exit.code, exit.error ?? exit.stderr).toBe(0);

    const completedBy = exits.map((exit) => exit.done.completedHere as string[]);
    const all = completedBy.flat();
    expect(all.sort()).toEqual(specs.map((spec) => spec.runId).sort());
    expect(new Set(all).size).toBe(all.length);
    const split = exits.map(
      (exit, i) => `process ${i + 1}: resumed ${exit.done.resumed.length}, completed ${completedBy[i]!.length}`,
    );
    console.log(`resumeAll split 40 runs: ${split.join('; ')}`);
    expect(completedBy.filter((runs) => runs.length > 0).length).toBeGreaterThanOrEqual(2);

    const verdict = await verifyTorture({ kind: 'sqlite', base, main: { ...place, specs } });
    expect(verdict.violations).toEqual([]);
    // Sales in flight at the kills were settled by the ledger, not recorded twice.
    expect(verdict.executions.unknownOutcomes.reconcile).toBeGreaterThan(0);
    const integrity = await checkSqliteIntegrity(place.location);
    expect(integrity).toMatchObject({ ok: true, runs: 40, problems: [] });
  });
});
