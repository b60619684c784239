/**
 * Invariants over what the children did, not only what the store says:
 * - no step function ran after its outcome was durable (an `exec` line after an `end` line of the
 *   same run and step: `end` is logged once the engine's append resolved);
 * - every execution belongs to a step the journal recorded, with the intent's idempotency key;
 * - in-flight re-execution only where the step's policy allows it: `pure` and `retry` steps may run
 *   again in a later process, `reconcile` steps leave exactly one ledger line per intent, `fail`
 *   steps run at most once and a lost outcome is recorded as outcome-unknown;
 * - within one process a step runs once per attempt;
 * - the ledger holds exactly the reconcile intents, each once; the outbox only notify intents.
 */

import type { JournaledStep } from './check-journals.ts';
import type { InvariantChecker } from './invariant-checker.ts';
import type { LogLine } from './side-effect-files.ts';
import { policyOf, type StepPolicy } from './workload-specs.ts';

/** Counts for the report. */
export interface ExecutionStats {
  executions: number;
  /** Executions of a step in a process after another process had already executed it. */
  reExecutions: Record<StepPolicy, number>;
  /** Outcome-unknown decisions taken on resume, by policy. */
  unknownOutcomes: Record<string, number>;
  ledgerLines: number;
}

const ENGINE_POLICY: Record<StepPolicy, string> = { pure: '-', reconcile: 'reconcile', retry: 'retry', fail: 'fail' };

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** Check the execution log, ledger and outbox against the journals (`steps`: runId → stepId → step). */
export function checkExecutions(
  c: InvariantChecker,
  steps: ReadonlyMap<string, ReadonlyMap<string, JournaledStep>>,
  log: readonly LogLine[],
  ledger: ReadonlyArray<{ key: string }>,
  outbox: ReadonlyArray<{ key: string }>,
): ExecutionStats {
  const stats: ExecutionStats = {
    executions: 0,
    reExecutions: { pure: 0, reconcile: 0, retry: 0, fail: 0 },
    unknownOutcomes: {},
    ledgerLines: ledger.length,
  };
  const groups = new Map<string, LogLine[]>();
  for (const line of log) {
    const key = `${line.runId}\u0000${line.stepId}`;
    const group = groups.get(key);
    if (group) group.push(line);
    else groups.set(key, [line]);
  }
  const outboxCounts = countBy(outbox, (line) => line.key);
  for (const lines of groups.values()) {
    const { runId, stepId } = lines[0]!;
    const id = `run "${runId}" step "${stepId}"`;
    const step = steps.get(runId)?.get(stepId);
    if (!c.check(step !== undefined, () => `${id} was executed but the journal records no outcome for it`) || !step) continue;
    const policy = policyOf(stepId);
    let endedBy: number | undefined;
    const execs: Extract<LogLine, { type: 'exec' }>[] = [];
    for (const line of lines) {
      if (line.type === 'end') endedBy ??= line.proc;
      else if (line.type === 'unknown') {
        stats.unknownOutcomes[line.policy] = (stats.unknownOutcomes[line.policy] ?? 0) + 1;
        c.check(
          line.policy === ENGINE_POLICY[policy],
          () => `${id} took unknown-outcome policy "${line.policy}", expected ${policy}`,
        );
      } else {
        const durableBy = endedBy;
        c.check(
          durableBy === undefined,
          () => `${id} executed by process ${line.proc} after its outcome was durable (reported by process ${durableBy})`,
        );
        execs.push(line);
      }
    }
    stats.executions += execs.length;
    const procs = [...new Set(execs.map((line) => line.proc))];
    stats.reExecutions[policy] += Math.max(0, procs.length - 1);
    for (const proc of procs) {
      const attempts = execs.filter((line) => line.proc === proc).map((line) => line.attempt);
      c.check(
        attempts.every((attempt, index) => index === 0 || attempt > attempts[index - 1]!),
        () => `${id} executed twice in process ${proc} (attempts ${attempts.join(',')})`,
      );
    }
    if (policy === 'pure') continue;
    c.check(
      step.intentKey !== undefined && execs.every((line) => line.key === step.intentKey),
      () => `${id} ran with keys ${execs.map((line) => line.key).join(',')}, its intent is ${step.intentKey}`,
    );
    if (policy === 'fail') {
      c.check(execs.length <= 1, () => `${id} (onUnknown: 'fail') executed ${execs.length} times`);
      if (step.outcome === 'step-fail') {
        c.check(step.errorCode === 'outcome-unknown', () => `${id} failed with ${step.errorCode}, expected outcome-unknown`);
      } else c.check(execs.length === 1, () => `${id} completed after ${execs.length} executions`);
    }
    if (policy === 'retry') {
      const delivered = outboxCounts.get(step.intentKey ?? '') ?? 0;
      c.check(
        delivered >= 1 && delivered <= execs.length,
        () => `${id} (onUnknown: 'retry') delivered ${delivered} times for ${execs.length} executions`,
      );
    }
  }
  const ledgerCounts = countBy(ledger, (line) => line.key);
  const reconcileIntents = new Set<string>();
  const notifyIntents = new Set<string>();
  for (const [runId, runSteps] of steps) {
    for (const [stepId, step] of runSteps) {
      const policy = policyOf(stepId);
      if (policy === 'reconcile') {
        c.check(step.intentKey !== undefined, () => `run "${runId}" step "${stepId}" has no intent`);
        reconcileIntents.add(step.intentKey ?? '');
        const count = ledgerCounts.get(step.intentKey ?? '') ?? 0;
        c.check(count === 1, () => `run "${runId}" step "${stepId}": ledger key ${step.intentKey} appears ${count} times`);
      }
      if (policy === 'retry') notifyIntents.add(step.intentKey ?? '');
    }
  }
  for (const [key, count] of ledgerCounts) {
    c.check(reconcileIntents.has(key), () => `ledger key ${key} (${count} lines) belongs to no recorded intent`);
  }
  for (const key of outboxCounts.keys()) c.check(notifyIntents.has(key), () => `outbox key ${key} belongs to no recorded intent`);
  return stats;
}
