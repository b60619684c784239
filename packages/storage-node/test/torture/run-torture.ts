/**
 * `runTorture`: crash-torture one Node store (ADR 0090, 0091).
 *
 * Children run the workload on the store; the parent SIGKILLs them at seeded random moments (see
 * `kill-plans.ts`), restarts them, and they take over with `resumeAll`, again and again until the
 * requested number of kills landed; then the remaining runs finish without kills and every
 * invariant is checked (`check-journals.ts`, `check-executions.ts`, the store's integrity check).
 *
 * Invariants of the harness itself:
 * - at most one live process per slot, and a slot's runs are only ever driven by its process, so
 *   a per-slot run lock lets a restarted child take over at once (no lease to wait out);
 * - a kill is counted only when the child died of it;
 * - the uninterrupted output of every variant comes from one child that is never killed.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkRedisIntegrity } from '@cairn/storage-redis';
import { seededRandom } from '@cairn/test-rigs/seeded-random';
import { checkFileStoreIntegrity } from '../../src/file/file-integrity.ts';
import { redisSpecOptions } from '../../src/remote-store.ts';
import { checkSqliteIntegrity } from '../../src/sqlite/sqlite-integrity.ts';
import { bundleTortureChild } from './child-bundle.ts';
import { armKillPlan, drawKillPlan, KILL_MODES, type KillMode, killAll } from './kill-plans.ts';
import type { TortureOptions, TortureReport } from './torture-report.ts';
import { createSpawner, placeIn, runBaseline } from './torture-setup.ts';
import { TORTURE_PLAN, type TorturePlan, verifyTorture } from './verify-torture.ts';
import { AGENT_WORKFLOW, type RunSpec, STEPS_WORKFLOW, slotRunId, VARIANTS } from './workload-specs.ts';

/** The n-th run of a slot: workflows alternate, variants rotate. */
function specFor(slot: number, n: number): RunSpec {
  return { runId: slotRunId(slot, n), workflow: n % 2 === 0 ? STEPS_WORKFLOW : AGENT_WORKFLOW, variant: (n + slot) % VARIANTS };
}

/**
 * Torture a store and check everything afterwards. Throws only when the harness itself cannot go
 * on (a child crashed on its own); broken invariants are in the report's `violations`.
 *
 * @example
 * const report = await runTorture({ store: 'sqlite', kills: 100, seed: 1 });
 * console.log(formatTortureReport(report));
 */
export async function runTorture(options: TortureOptions): Promise<TortureReport> {
  const started = performance.now();
  const workers = options.workers ?? 2;
  const activeRuns = options.activeRuns ?? 3;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), `cairn-torture-${options.store}-`));
  const registry = options.registry ?? new Set<ChildProcess>();
  const cacheDir = join(dir, 'compile-cache');
  const kind = options.store;
  try {
    const script = options.childScript ?? (await bundleTortureChild(dir));
    const spawner = createSpawner({ script, kind, cacheDir, registry });
    if (kind === 'redis' && !options.redisUrl) throw new Error('runTorture: store redis needs redisUrl');
    const { base, workMs: baselineMs } = await runBaseline(spawner, dir, kind, options.redisUrl);

    const main = placeIn(dir, 'store', kind, options.redisUrl);
    const specs: RunSpec[] = [];
    const killsByMode = Object.fromEntries(KILL_MODES.map((mode) => [mode, 0])) as Record<KillMode, number>;
    let kills = 0;
    let planned = 0;
    let resumedByResumeAll = 0;
    let nextProgress = Math.max(1, Math.ceil(options.kills / 10));

    const slotLoop = async (slot: number): Promise<void> => {
      const random = seededRandom(options.seed * 7919 + slot);
      const pending: RunSpec[] = [];
      let n = 0;
      let workMs = (baselineMs * activeRuns) / base.specs.length;
      for (;;) {
        const killing = kills + planned < options.kills;
        while (killing && pending.length < activeRuns) {
          const spec = specFor(slot, n++);
          pending.push(spec);
          specs.push(spec);
        }
        if (pending.length === 0) return;
        const plan = killing ? drawKillPlan(random, workMs) : undefined;
        if (plan) planned++;
        const child = spawner.spawn({
          mode: 'slot',
          slot,
          runs: pending.slice(),
          ...main,
          ...(plan?.trigger ? { trigger: plan.trigger } : {}),
        });
        if (plan) armKillPlan(plan, child);
        await child.ready;
        const readyAt = performance.now();
        const exit = await child.exit;
        if (plan) planned--;
        for (const runId of exit.completed) {
          const index = pending.findIndex((spec) => spec.runId === runId);
          if (index >= 0) pending.splice(index, 1);
        }
        if (exit.killed && plan) {
          kills++;
          killsByMode[plan.mode]++;
          if (kills >= nextProgress) {
            nextProgress += Math.max(1, Math.ceil(options.kills / 10));
            options.onProgress?.(
              `[${kind}] ${kills}/${options.kills} kills, ${specs.length} runs, ${((performance.now() - started) / 1000).toFixed(1)} s`,
            );
          }
        } else if (exit.code === 0) {
          workMs = 0.7 * workMs + 0.3 * (performance.now() - readyAt);
          resumedByResumeAll += exit.done?.resumed ?? 0;
        } else {
          throw new Error(`torture child (slot ${slot}) exited with ${exit.code}: ${exit.error ?? exit.stderr.slice(-2000)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: workers }, (_, slot) => slotLoop(slot)));

    const integrity =
      kind === 'redis'
        ? await checkRedisIntegrity(redisSpecOptions(main.location))
        : kind === 'sqlite'
          ? await checkSqliteIntegrity(main.location)
          : await checkFileStoreIntegrity(main.location);
    const plan: TorturePlan = { kind, base, main: { ...main, specs } };
    writeFileSync(join(dir, TORTURE_PLAN), JSON.stringify(plan));
    const verdict = await verifyTorture(plan);
    return {
      store: kind,
      seed: options.seed,
      workers,
      kills,
      killsByMode,
      processes: spawner.spawned,
      runs: specs.length,
      resumedByResumeAll,
      checks: verdict.checks + 1,
      violationCount: verdict.violationCount + (integrity.ok ? 0 : 1),
      violations: verdict.violations,
      executions: verdict.executions,
      integrity: {
        ok: integrity.ok,
        runs: integrity.runs,
        entries: integrity.entries,
        problems: integrity.problems,
        notes: integrity.notes.length,
      },
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    killAll(registry);
    if (!options.dir && !options.keep) rmSync(dir, { recursive: true, force: true });
  }
}
