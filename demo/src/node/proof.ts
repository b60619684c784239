/**
 * The proof at the end of the demo. It trusts neither worker: it reads the run from the store, the
 * side effects from the ledger file, and only counts events for what the store cannot tell (model
 * calls that were in flight when a worker died, which were paid for but never journaled).
 */
import { createRuntime, type HistoryItem, type RunInfo } from '@cairn/core';
import { createSqliteStore } from '@cairn/storage-node';
import type { SideEffect } from '../shared/side-effects.ts';
import { readLedgerFile } from './file-ledger.ts';
import type { Screen } from './terminal.ts';
import { thousands, type WorkerTally } from './timeline.ts';

/** What the store and the ledger say about a run. */
export interface RunFacts {
  info: RunInfo;
  history: HistoryItem[];
  effects: SideEffect[];
}

/** Read a run's facts from the store file and the ledger file. */
export async function readRunFacts(storePath: string, ledgerPath: string, runId: string): Promise<RunFacts> {
  const store = createSqliteStore({ path: storePath });
  const runtime = createRuntime({ store, workflows: [] });
  try {
    const [info, history] = await Promise.all([runtime.get(runId), runtime.history(runId)]);
    return { info, history, effects: readLedgerFile(ledgerPath).filter((effect) => effect.runId === runId) };
  } finally {
    await runtime.close();
    await store.close();
  }
}

/** Print the proof; returns whether every check held. */
export function printProof(screen: Screen, facts: RunFacts, tallies: readonly WorkerTally[], killed: boolean): boolean {
  const s = screen.style;
  const { info, history, effects } = facts;
  let ok = true;
  const check = (holds: boolean, claim: string, evidence: string): void => {
    ok &&= holds;
    screen.line(`  ${holds ? s.green('✓') : s.red('✗')} ${claim.padEnd(30)} ${s.dim(evidence)}`);
  };

  screen.line();
  screen.line(s.bold('Proof') + s.dim('  (read from the SQLite store and the ledger file, not from what the workers said)'));
  check(
    info.status === 'completed',
    'run completed',
    `run ${info.runId} is "${info.status}" in the store, ${info.lastSeq} journal entries`,
  );

  for (const [kind, tool, what] of [
    ['refund', 'tool:issue_refund', 'refund issued'],
    ['email', 'tool:send_email', 'e-mail sent'],
  ] as const) {
    const lines = effects.filter((effect) => effect.kind === kind);
    const keys = new Set(lines.map((effect) => effect.idempotencyKey));
    const journaled = history.filter((item) => item.kind === 'step-end' && item.key.startsWith(`${tool}#`)).length;
    if (lines.length === 0 && journaled === 0) {
      // A real model may decide otherwise; the scripted one always refunds and e-mails.
      screen.line(`  ${s.dim('–')} ${`no ${kind}`.padEnd(30)} ${s.dim(`the model did not call ${tool}`)}`);
      continue;
    }
    check(
      lines.length === keys.size && lines.length === journaled,
      `${what} exactly once`,
      `${lines.length} ${kind} line${lines.length === 1 ? '' : 's'} for this run in the ledger, ${journaled} in the journal` +
        (lines[0] ? ` (idempotency key ${lines[0].idempotencyKey})` : ''),
    );
  }

  const resumed = tallies.slice(1);
  const replayed = resumed.reduce((n, t) => n + t.replayed, 0);
  const executedAfter = resumed.reduce((n, t) => n + t.executed, 0);
  if (killed)
    check(
      replayed > 0,
      'steps replayed after the kill',
      `${replayed} replayed by the new worker (no model call, no tool call), ${executedAfter} executed`,
    );
  else
    screen.line(
      `  ${s.dim('–')} ${'no kill'.padEnd(30)} ${s.dim('ran in one worker: nothing to replay (drop --no-kill to see a crash)')}`,
    );

  const made = tallies.reduce((n, t) => n + t.modelCallsMade, 0);
  const replayedCalls = tallies.reduce((n, t) => n + t.modelCallsReplayed, 0);
  const lost = made - info.usage.modelCalls;
  check(
    info.usage.modelCalls > 0,
    'model calls',
    `${made} made, ${info.usage.modelCalls} journaled` +
      (lost > 0 ? ` (${lost} in flight at the kill, paid and made again)` : '') +
      `, ${replayedCalls} replayed without a call`,
  );
  const tokens = `${thousands(info.usage.savedTokens)} tokens not re-spent; ${thousands(info.usage.totalTokens)} spent in total`;
  if (killed) check(info.usage.savedTokens > 0, 'tokens saved by replay', tokens);
  else screen.line(`  ${s.dim('–')} ${'tokens saved by replay'.padEnd(30)} ${s.dim(tokens)}`);

  screen.line();
  screen.line(s.bold('Final answer'));
  screen.line(`  ${typeof info.output === 'string' ? info.output : JSON.stringify(info.output ?? info.error?.message ?? null)}`);
  return ok;
}
