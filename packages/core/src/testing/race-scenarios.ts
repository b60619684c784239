/**
 * Race scenarios between two handles on one backing storage. Each scenario runs the race and
 * returns what it observed together with the list of contract violations it found (empty when the
 * store behaves). The concurrency group asserts that list is empty; the suite's own self-check runs
 * the same scenarios against deliberately broken stores and asserts it is not.
 */
import { CairnError } from '../errors.ts';
import type { DurableStore, JournalEntry, RunRecord } from '../storage/types.ts';
import { describeValue, type Settled, settle } from './assertions.ts';
import { FIXTURE_TIME, newRunFixture } from './fixtures.ts';
import { entryBatch } from './journal-suite.ts';

/** What a race left behind, and which rules it broke. */
export interface RaceObservation {
  outcomes: Settled<RunRecord>[];
  run: RunRecord | null;
  entries: JournalEntry[];
  /** Human-readable contract violations; empty when the store behaved. */
  problems: string[];
}

/** Violations of "exactly one of the racing calls wins, the others lose with `code`". */
function oneWinner(outcomes: readonly Settled<unknown>[], code: 'storage-conflict' | 'run-exists'): string[] {
  const problems: string[] = [];
  const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
  if (winners !== 1) problems.push(`${winners} of ${outcomes.length} racing calls fulfilled, expected exactly 1`);
  for (const outcome of outcomes) {
    if (outcome.status === 'rejected' && !CairnError.is(outcome.reason, code)) {
      problems.push(`a losing call rejected with ${describeValue(outcome.reason)} instead of code "${code}"`);
    }
  }
  return problems;
}

/** Violations of "the journal is numbered 1..n with no gap and no duplicate". */
export function journalProblems(entries: readonly JournalEntry[], lastSeq: number | undefined): string[] {
  const problems: string[] = [];
  const seqs = entries.map((entry) => entry.seq);
  if (seqs.some((seq, index) => seq !== index + 1))
    problems.push(`journal seqs are [${seqs.join(',')}], expected 1..${seqs.length}`);
  if (lastSeq !== entries.length) problems.push(`lastSeq is ${lastSeq}, but the journal holds ${entries.length} entries`);
  const keys = entries.map((entry) => entry.key);
  if (new Set(keys).size !== keys.length) problems.push('the journal holds the same key twice');
  return problems;
}

/**
 * Two handles append at lastSeq 0 at once (3 entries against 1): exactly one wins, the loser gets
 * `storage-conflict`, and the journal is the winner's batch alone.
 */
export async function raceAppend(first: DurableStore, second: DurableStore, runId: string): Promise<RaceObservation> {
  await first.createRun(newRunFixture(runId));
  const batches = [entryBatch('first', 3), entryBatch('second', 1)];
  const outcomes = await Promise.all([
    settle(() => first.append(runId, 0, batches[0]!, { step: { index: 3, name: 'first' }, updatedAt: FIXTURE_TIME + 1 })),
    settle(() => second.append(runId, 0, batches[1]!, { step: { index: 1, name: 'second' }, updatedAt: FIXTURE_TIME + 2 })),
  ]);
  const run = await second.getRun(runId);
  const entries = await second.readEntries(runId);
  const problems = [...oneWinner(outcomes, 'storage-conflict'), ...journalProblems(entries, run?.lastSeq)];
  const winner = outcomes.findIndex((outcome) => outcome.status === 'fulfilled');
  const winning = batches[winner];
  if (winning && JSON.stringify(entries.map((entry) => entry.key)) !== JSON.stringify(winning.map((entry) => entry.key))) {
    problems.push(`the journal holds [${entries.map((entry) => entry.key).join(',')}], not the winner's batch alone`);
  }
  if (winning && run?.step.name !== (winner === 0 ? 'first' : 'second')) problems.push("the stored patch is not the winner's");
  return { outcomes, run, entries, problems };
}

/** Two handles update at version 0 at once: exactly one wins, version is 1, the winner's patch is stored. */
export async function raceUpdate(first: DurableStore, second: DurableStore, runId: string): Promise<RaceObservation> {
  await first.createRun(newRunFixture(runId));
  const owners = ['first', 'second'];
  const outcomes = await Promise.all(
    [first, second].map((store, index) =>
      settle(() =>
        store.updateRun(runId, 0, { lease: { owner: owners[index]!, expiresAt: FIXTURE_TIME + 1 }, updatedAt: FIXTURE_TIME + 1 }),
      ),
    ),
  );
  const run = await second.getRun(runId);
  const problems = oneWinner(outcomes, 'storage-conflict');
  if (run?.version !== 1) problems.push(`version is ${run?.version} after one successful update, expected 1`);
  const winner = outcomes.findIndex((outcome) => outcome.status === 'fulfilled');
  if (winner >= 0 && run?.lease?.owner !== owners[winner]) problems.push("the stored lease is not the winner's");
  return { outcomes, run, entries: [], problems };
}

/** Two handles create the same run id at once: one wins, the other gets `run-exists`. */
export async function raceCreate(first: DurableStore, second: DurableStore, runId: string): Promise<RaceObservation> {
  const workflows = ['first', 'second'];
  const outcomes = await Promise.all(
    [first, second].map((store, index) => settle(() => store.createRun(newRunFixture(runId, { workflow: workflows[index]! })))),
  );
  const run = await first.getRun(runId);
  const problems = oneWinner(outcomes, 'run-exists');
  const winner = outcomes.findIndex((outcome) => outcome.status === 'fulfilled');
  if (winner >= 0 && run?.workflow !== workflows[winner]) problems.push("the stored run is not the winner's");
  return { outcomes, run, entries: [], problems };
}

/**
 * Two writers each append `perWriter` entries one at a time, as resumers do: keep the lastSeq an
 * append returned, and on `storage-conflict` re-read the run and try again (bounded). The journal
 * must end dense 1..2×perWriter with every key exactly once.
 */
export async function contendAppends(
  first: DurableStore,
  second: DurableStore,
  runId: string,
  perWriter = 50,
): Promise<RaceObservation> {
  await first.createRun(newRunFixture(runId));
  const problems: string[] = [];
  const maxAttempts = perWriter * 20;
  async function writer(store: DurableStore, name: string): Promise<void> {
    let lastSeq = 0;
    let attempts = 0;
    for (let index = 0; index < perWriter; index++) {
      for (;;) {
        if (++attempts > maxAttempts) throw new Error(`writer ${name} gave up after ${maxAttempts} attempts`);
        try {
          lastSeq = (await store.append(runId, lastSeq, entryBatch(name, 1, index))).lastSeq;
          break;
        } catch (error) {
          if (!CairnError.is(error, 'storage-conflict')) throw error;
          lastSeq = (await store.getRun(runId))?.lastSeq ?? 0;
        }
      }
    }
  }
  const outcomes = await Promise.all([settle(() => writer(first, 'first')), settle(() => writer(second, 'second'))]);
  for (const outcome of outcomes) if (outcome.status === 'rejected') problems.push(describeValue(outcome.reason));
  const run = await first.getRun(runId);
  const entries = await second.readEntries(runId);
  problems.push(...journalProblems(entries, run?.lastSeq));
  if (entries.length !== 2 * perWriter) problems.push(`the journal holds ${entries.length} entries, expected ${2 * perWriter}`);
  return { outcomes: [], run, entries, problems };
}

/**
 * One handle appends while the other updates the header, `rounds` times each, interleaved. The two
 * CAS domains are independent: no call may fail and no write may be lost.
 */
export async function interleaveDomains(
  first: DurableStore,
  second: DurableStore,
  runId: string,
  rounds = 20,
): Promise<RaceObservation> {
  await first.createRun(newRunFixture(runId));
  async function appender(): Promise<void> {
    for (let round = 0; round < rounds; round++) {
      await first.append(runId, round, entryBatch('a', 1, round), {
        step: { index: round + 1, name: `a#${round}` },
        updatedAt: FIXTURE_TIME + round,
      });
    }
  }
  async function updater(): Promise<void> {
    for (let round = 0; round < rounds; round++) {
      await second.updateRun(runId, round, {
        lease: { owner: `owner-${round}`, expiresAt: FIXTURE_TIME + round },
        updatedAt: FIXTURE_TIME + round,
      });
    }
  }
  const outcomes = await Promise.all([settle(appender), settle(updater)]);
  const problems = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [describeValue(outcome.reason)] : []));
  const run = await first.getRun(runId);
  const entries = await first.readEntries(runId);
  problems.push(...journalProblems(entries, run?.lastSeq));
  if (run?.version !== rounds) problems.push(`version is ${run?.version}, expected ${rounds}`);
  if (run?.step.index !== rounds) problems.push(`step.index is ${run?.step.index}, expected ${rounds}: an append patch was lost`);
  if (run?.lease?.owner !== `owner-${rounds - 1}`) problems.push(`lease owner is ${run?.lease?.owner}: an update was lost`);
  return { outcomes: [], run, entries, problems };
}
