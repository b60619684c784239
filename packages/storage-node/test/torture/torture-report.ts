/**
 * What a torture run reports, and a readable summary of it.
 */
import type { ExecutionStats } from './check-executions.ts';
import type { KillMode } from './kill-plans.ts';

/** The stores the harness tortures. */
export type TortureStoreKind = 'sqlite' | 'file' | 'redis';

/** Options of `runTorture`. */
export interface TortureOptions {
  store: TortureStoreKind;
  /** The server of `store: 'redis'` (`redis://HOST:PORT`); each torture uses its own key prefixes. */
  redisUrl?: string;
  /** SIGKILLs to land (children that finish before their planned kill do not count). */
  kills: number;
  /** Seed of the kill plans and run mix. */
  seed: number;
  /** Child processes working at once, each on its own slot of runs (default 2). */
  workers?: number;
  /** Runs a slot keeps in flight while kills remain (default 3). */
  activeRuns?: number;
  /** Working directory (default: a fresh temp dir, removed afterwards unless `keep`). */
  dir?: string;
  keep?: boolean;
  /** The bundled child script (`bundleTortureChild`), to share one bundle between runs. */
  childScript?: string;
  /** Progress lines (every 10 % of the kills). */
  onProgress?: (line: string) => void;
  /** Every child spawned is added here while alive, so a test can kill leftovers in afterEach. */
  registry?: Set<import('node:child_process').ChildProcess>;
}

/** The outcome of a torture run. */
export interface TortureReport {
  store: TortureStoreKind;
  seed: number;
  workers: number;
  kills: number;
  killsByMode: Record<KillMode, number>;
  /** Child processes spawned (killed ones, finishing ones, the baseline). */
  processes: number;
  /** Runs started (and checked). */
  runs: number;
  /** Runs taken over by `resumeAll` after a kill, summed over processes that lived to report it. */
  resumedByResumeAll: number;
  /** Invariant checks evaluated, and the violations found (listed up to 50). */
  checks: number;
  violationCount: number;
  violations: string[];
  executions: ExecutionStats;
  integrity: { ok: boolean; runs: number; entries: number; problems: string[]; notes: number };
  durationMs: number;
}

/** A few lines for humans. */
export function formatTortureReport(report: TortureReport): string {
  const modes = Object.entries(report.killsByMode)
    .map(([mode, count]) => `${mode} ${count}`)
    .join(', ');
  const re = report.executions.reExecutions;
  const unknown = Object.entries(report.executions.unknownOutcomes)
    .map(([policy, count]) => `${policy} ${count}`)
    .join(', ');
  return [
    `${report.store}: ${report.kills} kills (${modes}), ${report.runs} runs, ${report.processes} processes, ${report.workers} workers, seed ${report.seed}`,
    `  ${report.checks} invariant checks, ${report.violationCount} violations; ${(report.durationMs / 1000).toFixed(1)} s`,
    `  ${report.executions.executions} step executions; re-executed in flight: pure ${re.pure}, reconcile ${re.reconcile}, retry ${re.retry}, fail ${re.fail}`,
    `  unknown outcomes on resume: ${unknown || 'none'}; ledger lines ${report.executions.ledgerLines}; resumeAll took over ${report.resumedByResumeAll} runs`,
    `  integrity: ${report.integrity.ok ? 'ok' : 'FAILED'} (${report.integrity.runs} runs, ${report.integrity.entries} entries, ${report.integrity.notes} notes)`,
    ...report.violations.map((violation) => `  ✗ ${violation}`),
    ...report.integrity.problems.map((problem) => `  ✗ integrity: ${problem}`),
  ].join('\n');
}
