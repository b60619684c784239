// Crash torture in CI: for each Node store (and Redis, on the private server of the global setup), 100 SIGKILLs at seeded random moments (inside commits,
// right after a side-effecting step started, right after a commit, during takeover…) of child
// processes running workflows and agents; restarts resume with resumeAll. Every invariant of
// `verify-torture.ts` must hold and the store must pass its integrity check. `scripts/torture.ts`
// runs the same harness with more kills.
import type { ChildProcess } from 'node:child_process';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bundleTortureChild } from './child-bundle.ts';
import { KILL_MODES } from './kill-plans.ts';
import { runTorture } from './run-torture.ts';
import { formatTortureReport } from './torture-report.ts';
import { TORTURE_STORE_KINDS } from './torture-stores.ts';

const KILLS = 100;
const SEED = 20_240_601;
const temp = makeTempDir('torture');
const registry = new Set<ChildProcess>();
let childScript: string;

beforeAll(async () => {
  childScript = await bundleTortureChild(temp.path);
});
afterEach(() => {
  for (const child of registry) child.kill('SIGKILL');
  registry.clear();
});
afterAll(() => temp.remove());

describe.each(TORTURE_STORE_KINDS)('%s store under crash torture', (store) => {
  it(`keeps every invariant through ${KILLS} SIGKILLs`, { timeout: 240_000 }, async () => {
    const report = await runTorture({ store, kills: KILLS, seed: SEED, workers: 2, childScript, registry });
    console.log(formatTortureReport(report));
    expect(report.violations).toEqual([]);
    expect(report.violationCount).toBe(0);
    expect(report.integrity).toMatchObject({ ok: true, problems: [] });
    expect(report.kills).toBe(KILLS);
    // The kills landed where they were aimed: every mode struck, and some struck a side-effecting
    // step in flight (its outcome had to be decided by policy on resume).
    for (const mode of KILL_MODES) expect(report.killsByMode[mode], mode).toBeGreaterThan(0);
    expect(Object.values(report.executions.unknownOutcomes).reduce((sum, n) => sum + n, 0)).toBeGreaterThan(0);
    expect(report.runs).toBeGreaterThan(20);
    expect(report.checks).toBeGreaterThan(50 * report.runs);
  });
});
