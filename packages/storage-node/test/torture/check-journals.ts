/**
 * Per-run invariants after the torture: the run completed with the uninterrupted output, its
 * journal is dense with exactly one run-end (last), every step outcome is recorded once, every
 * intent has its outcome, and the run recorded the same steps as the uninterrupted run.
 */
import { isDeepStrictEqual } from 'node:util';
import type { InvariantChecker } from './invariant-checker.ts';
import type { RunOutcome } from './read-outcomes.ts';
import { outputKey } from './workload-specs.ts';

/** What the uninterrupted run of a variant produced. */
export interface BaselineRun {
  output: unknown;
  /** Step ids with a recorded outcome, sorted. */
  steps: string[];
}

/** A step as the journal recorded it. */
export interface JournaledStep {
  outcome: 'step-end' | 'step-fail';
  errorCode?: string;
  /** Idempotency key of its intent (`once` steps): `${runId}:${intentSeq}`. */
  intentKey?: string;
}

const show = (value: unknown) => JSON.stringify(value)?.slice(0, 200);

/** The recorded steps of a run, by step id. */
export function journaledSteps(outcome: RunOutcome): Map<string, JournaledStep> {
  const steps = new Map<string, JournaledStep>();
  for (const item of outcome.history) {
    if (item.kind === 'step-end' || item.kind === 'step-fail') {
      const step: JournaledStep = { ...steps.get(item.key), outcome: item.kind };
      if (item.error?.code) step.errorCode = item.error.code;
      steps.set(item.key, step);
    }
  }
  for (const item of outcome.history) {
    const step = steps.get(item.key);
    if (item.kind === 'step-start' && step) step.intentKey = `${outcome.spec.runId}:${item.seq}`;
  }
  return steps;
}

/** Check one run against its baseline. */
export function checkJournal(c: InvariantChecker, outcome: RunOutcome, baseline: ReadonlyMap<string, BaselineRun>): void {
  const { spec, info, history } = outcome;
  const id = `run "${spec.runId}" (${spec.workflow} #${spec.variant})`;
  if (!c.check(info !== null, () => `${id} is missing from the store`) || info === null) return;
  c.check(
    info.status === 'completed',
    () => `${id} ended ${info.status}${info.error ? `: ${info.error.code ?? info.error.name}: ${info.error.message}` : ''}`,
  );
  const expected = baseline.get(outputKey(spec));
  c.check(
    expected !== undefined && isDeepStrictEqual(info.output, expected.output),
    () => `${id} output ${show(info.output)} differs from the uninterrupted ${show(expected?.output)}`,
  );
  c.check(
    history.length === info.lastSeq && history.every((item, index) => item.seq === index + 1),
    () => `${id} journal is not dense: lastSeq ${info.lastSeq}, seqs ${history.map((item) => item.seq).join(',')}`,
  );
  const runEnds = history.filter((item) => item.kind === 'run-end').length;
  c.check(
    runEnds === 1 && history.at(-1)?.kind === 'run-end',
    () => `${id} has ${runEnds} run-end entries (last is ${history.at(-1)?.kind})`,
  );
  const ended = history.filter((item) => item.kind === 'step-end' || item.kind === 'step-fail');
  const keys = ended.map((item) => item.key);
  c.check(
    new Set(keys).size === keys.length,
    () => `${id} records an outcome twice for ${keys.filter((k, i) => keys.indexOf(k) !== i).join(', ')}`,
  );
  for (const intent of history.filter((item) => item.kind === 'step-start')) {
    const end = ended.find((item) => item.key === intent.key);
    c.check(
      end !== undefined && end.seq > intent.seq,
      () => `${id} intent of "${intent.key}" (seq ${intent.seq}) has no outcome after it`,
    );
  }
  const steps = [...new Set(keys)].sort();
  c.check(
    expected !== undefined && isDeepStrictEqual(steps, expected.steps),
    () => `${id} recorded steps [${steps.join(' ')}], the uninterrupted run [${expected?.steps.join(' ')}]`,
  );
}

/** The baseline of one uninterrupted run. */
export function baselineOf(outcome: RunOutcome): BaselineRun {
  return { output: outcome.info?.output, steps: [...journaledSteps(outcome).keys()].sort() };
}
