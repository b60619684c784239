/**
 * After the kills: read both stores (baseline and tortured) and run every check.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkExecutions, type ExecutionStats } from './check-executions.ts';
import { type BaselineRun, baselineOf, checkJournal, type JournaledStep, journaledSteps } from './check-journals.ts';
import { createInvariantChecker } from './invariant-checker.ts';
import { readOutcomes } from './read-outcomes.ts';
import { readExecLog, readLedger, type SideEffectPaths } from './side-effect-files.ts';
import type { TortureStoreKind } from './torture-report.ts';
import { outputKey, type RunSpec } from './workload-specs.ts';

/** A store to verify: where it is, its side files, and the runs started on it. */
export interface VerifyTarget {
  location: string;
  files: SideEffectPaths;
  specs: readonly RunSpec[];
}

/** What a torture ran, written to `torture.json` in its directory so a kept run can be re-verified. */
export interface TorturePlan {
  kind: TortureStoreKind;
  base: VerifyTarget;
  main: VerifyTarget;
}

/** File name of the plan in a torture directory. */
export const TORTURE_PLAN = 'torture.json';

/** The verdict: checks evaluated, violations, execution counts. */
export interface TortureVerdict {
  checks: number;
  violationCount: number;
  violations: string[];
  executions: ExecutionStats;
}

/** Re-verify a torture directory kept with `keep: true` (or `--keep`). */
export async function verifyTortureDir(dir: string): Promise<TortureVerdict> {
  return verifyTorture(JSON.parse(readFileSync(join(dir, TORTURE_PLAN), 'utf8')) as TorturePlan);
}

/** Check the tortured store (`main`) against the uninterrupted one (`base`). */
export async function verifyTorture(targets: TorturePlan): Promise<TortureVerdict> {
  const { kind } = targets;
  const c = createInvariantChecker();
  const baseline = new Map<string, BaselineRun>();
  for (const outcome of (await readOutcomes(kind, targets.base.location, targets.base.specs)).outcomes) {
    c.check(outcome.info?.status === 'completed', () => `baseline run "${outcome.spec.runId}" did not complete`);
    baseline.set(outputKey(outcome.spec), baselineOf(outcome));
  }
  const { outcomes, stats } = await readOutcomes(kind, targets.main.location, targets.main.specs);
  const steps = new Map<string, Map<string, JournaledStep>>();
  for (const outcome of outcomes) {
    checkJournal(c, outcome, baseline);
    steps.set(outcome.spec.runId, journaledSteps(outcome));
  }
  c.check(
    stats.total === targets.main.specs.length && stats.byStatus.completed === stats.total,
    () => `store stats ${JSON.stringify(stats)} do not show ${targets.main.specs.length} completed runs`,
  );
  const files = targets.main.files;
  const executions = checkExecutions(c, steps, readExecLog(files.execLog), readLedger(files.ledger), readLedger(files.outbox));
  return { checks: c.checks, violationCount: c.violationCount, violations: c.violations, executions };
}
