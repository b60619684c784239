/**
 * `checkReplay` (ADR 0103): replay stored runs against the code given, executing nothing, and say
 * per run whether the code can resume it. The CI gate before a deploy: run it on a copy of the
 * production store with the new workflow module.
 *
 * A check drive is a drive whose every way out of replay is shut: the journal writer and the lease
 * gate stop it (reason `check-end`), and a step without a recorded outcome stops it before anything
 * runs. So every answer the workflow gets comes from the journal, and it stops at the first call the
 * journal has not recorded (compatible: the real resume would go live there).
 *
 * Invariants:
 * - no step function, tool, model call or reconcile function runs; nothing is written to the store;
 * - the verdicts are those a real resume reaches: the same call-slot check, the same exhaustive
 *   check at return/throw, the same agent definition check.
 */
import { decode, encode, type SerializedError, serializeError } from '../codec.ts';
import { type CairnError, InvalidArgumentError, RunNotFoundError } from '../errors.ts';
import type { DurableStore, JournalEntry, RunRecord, RunStatus } from '../storage/types.ts';
import { type Clock, systemClock } from './clock.ts';
import { createCallCounter, unconsumedCalls } from './context/calls.ts';
import type { CheckFindings, DriveScope, UsageTally } from './context/drive-scope.ts';
import { buildReplayState } from './context/replay-state.ts';
import { never } from './context/step-journal.ts';
import { createWorkflowContext } from './context/workflow-context.ts';
import { createDriveControl } from './drive/drive-control.ts';
import { type DefinitionPart, readEntry } from './journal-format.ts';
import { DEFAULT_RETRY } from './retry-policy.ts';
import type { Workflow } from './workflow.ts';

/** Which stored runs to check. */
export type CheckSelection =
  /** Every run that may still be driven: running, paused and failed (default). */
  | 'active'
  /** Every run, completed and cancelled included. */
  | 'all'
  | { runIds: readonly string[] };

/** Options of `checkReplay`. */
export interface CheckReplayOptions {
  // biome-ignore lint/suspicious/noExplicitAny: workflows of any input and output types
  workflows: readonly Workflow<any, any>[] | Readonly<Record<string, Workflow<any, any>>>;
  store: DurableStore;
  select?: CheckSelection;
  /** Time the waits of replay are judged by (default the system clock). */
  clock?: Clock;
  /** Give up on a run whose replay neither ends nor blocks within this many ms (default 30 000). */
  timeoutMs?: number;
}

/** Why a run is not compatible. */
export type ReplayProblem =
  | {
      kind: 'non-determinism';
      message: string;
      seq: number | null;
      callIndex: number | null;
      /** Step id the journal recorded there, and the one the code asks for. */
      recorded: string | null;
      requested: string | null;
    }
  | {
      kind: 'unconsumed-calls';
      message: string;
      seq: number | null;
      callIndex: number | null;
      recorded: string | null;
      count: number;
    }
  | {
      kind: 'definition-changed';
      message: string;
      agent: string;
      parts: DefinitionPart[];
      previous: string;
      current: string;
      tools: { added: string[]; removed: string[]; changed: string[] };
    }
  /** A completed run whose code now returns another output or throws (outputs in the codec's JSON form). */
  | { kind: 'outcome-changed'; message: string; recorded: string; replayed: string }
  | { kind: 'workflow-missing'; message: string }
  | { kind: 'timeout'; message: string }
  | { kind: 'error'; message: string; error: SerializedError };

/** The verdict on one run. */
export interface RunCheck {
  runId: string;
  workflow: string;
  status: RunStatus;
  compatible: boolean;
  /**
   * Where replay stopped: `live` (at the first call the journal has not recorded), `waiting` (on a
   * recorded wait still open), `returned` / `threw` (the workflow settled from the journal alone),
   * or `stopped` (a problem).
   */
  stoppedAt: 'live' | 'waiting' | 'returned' | 'threw' | 'stopped';
  /** Calls replayed, and calls the journal records. */
  replayedCalls: number;
  recordedCalls: number;
  problem?: ReplayProblem;
  /** Agent definition changes met with `onDefinitionChange: 'continue'` (recorded on resume, not a problem). */
  definitionChanges: Array<{ agent: string; parts: DefinitionPart[]; previous: string; current: string }>;
  /** `ctx.patched` answers: `old` = this run keeps the old path. */
  patches: Array<{ patchId: string; path: 'old' | 'new' }>;
}

/** A patch seen in the checked runs. */
export interface PatchUse {
  patchId: string;
  /** Runs that keep the old path, and runs on the new one. */
  oldPath: string[];
  newPath: string[];
  /** No checked run that can still be driven (running, paused, failed) needs the old path. */
  retirable: boolean;
}

/** What `checkReplay` returns. */
export interface CheckReplayReport {
  ok: boolean;
  checked: number;
  compatible: number;
  incompatible: number;
  runs: RunCheck[];
  patches: PatchUse[];
}

const ACTIVE: RunStatus[] = ['running', 'paused', 'failed'];
const PAGE = 200;

/**
 * Replay stored runs against `workflows` without executing anything, and report per run.
 *
 * @example
 * const report = await checkReplay({ workflows: [order], store });
 * if (!report.ok) for (const run of report.runs.filter((r) => !r.compatible)) console.error(run.runId, run.problem?.message);
 */
export async function checkReplay(options: CheckReplayOptions): Promise<CheckReplayReport> {
  const { store } = options;
  const workflows = new Map<string, Workflow>();
  for (const wf of Array.isArray(options.workflows) ? options.workflows : Object.values(options.workflows ?? {})) {
    if (!wf || typeof wf.name !== 'string' || typeof wf.fn !== 'function')
      throw new InvalidArgumentError('[@cairn/core] checkReplay: workflows must be Workflow objects (name, fn)');
    workflows.set(wf.name, wf as Workflow);
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0))
    throw new InvalidArgumentError('[@cairn/core] checkReplay: timeoutMs must be a number of ms > 0');
  const clock = options.clock ?? systemClock;
  const runs: RunCheck[] = [];
  for await (const record of selectRuns(store, options.select ?? 'active')) {
    const workflow = workflows.get(record.workflow);
    if (!workflow) {
      runs.push(
        verdictOf(record, {
          compatible: false,
          stoppedAt: 'stopped',
          replayedCalls: 0,
          recordedCalls: 0,
          problem: {
            kind: 'workflow-missing',
            message: `[@cairn/core] run "${record.runId}": the code given has no workflow "${record.workflow}"`,
          },
        }),
      );
      continue;
    }
    runs.push(await checkRun(workflow, record, await store.readEntries(record.runId), store, clock, timeoutMs));
  }
  const compatible = runs.filter((r) => r.compatible).length;
  return {
    ok: compatible === runs.length,
    checked: runs.length,
    compatible,
    incompatible: runs.length - compatible,
    runs,
    patches: patchUses(runs),
  };
}

async function* selectRuns(store: DurableStore, select: CheckSelection): AsyncGenerator<RunRecord> {
  if (typeof select === 'object' && select !== null && Array.isArray(select.runIds)) {
    for (const runId of select.runIds) {
      const record = await store.getRun(runId);
      if (!record) throw new RunNotFoundError(`[@cairn/core] checkReplay: no run "${runId}" in the store`, { runId });
      yield record;
    }
    return;
  }
  if (select !== 'active' && select !== 'all')
    throw new InvalidArgumentError(`[@cairn/core] checkReplay: select must be 'active', 'all' or { runIds }`);
  let cursor: string | undefined;
  do {
    const page = await store.listRuns({
      ...(select === 'active' ? { status: ACTIVE } : {}),
      limit: PAGE,
      ...(cursor ? { cursor } : {}),
    });
    yield* page.runs;
    cursor = page.cursor;
  } while (cursor);
}

/** A verdict with its fields in reading order (the JSON document keeps it). */
function verdictOf(
  record: RunRecord,
  fields: Pick<RunCheck, 'compatible' | 'stoppedAt' | 'replayedCalls' | 'recordedCalls'> & Partial<RunCheck>,
): RunCheck {
  return {
    runId: record.runId,
    workflow: record.workflow,
    status: record.status,
    compatible: fields.compatible,
    stoppedAt: fields.stoppedAt,
    replayedCalls: fields.replayedCalls,
    recordedCalls: fields.recordedCalls,
    ...(fields.problem ? { problem: fields.problem } : {}),
    definitionChanges: fields.definitionChanges ?? [],
    patches: fields.patches ?? [],
  };
}

/** Replay one run in a check drive. */
async function checkRun(
  workflow: Workflow,
  record: RunRecord,
  entries: JournalEntry[],
  store: DurableStore,
  clock: Clock,
  timeoutMs: number,
): Promise<RunCheck> {
  const runId = record.runId;
  const control = createDriveControl(runId, clock);
  const replay = buildReplayState(entries);
  const findings: CheckFindings = { patches: [], definitionChanges: [] };
  const stopHere = (): Promise<never> => {
    control.stop('check-end', undefined);
    return never();
  };
  const usage: UsageTally = {
    totals: { inputTokens: 0, outputTokens: 0, totalTokens: 0, savedTokens: 0, modelCalls: 0 },
    savedThisDrive: 0,
  };
  const scope: DriveScope = {
    runId,
    workflow: workflow.name,
    clock,
    random: () => 0,
    retry: DEFAULT_RETRY,
    maxPayloadBytes: store.limits.maxPayloadBytes,
    resumed: true,
    replay,
    control,
    journal: { commit: stopHere },
    usage,
    emit: () => undefined,
    ensureLease: stopHere,
    check: findings,
  };
  const calls = createCallCounter();
  const context = createWorkflowContext(scope, calls);
  const timer = clock.setTimer(timeoutMs, () => control.stop('check-timeout', undefined));
  let result: { type: 'return'; value: unknown } | { type: 'throw'; error: unknown } | { type: 'control' };
  try {
    const input = decode(record.input);
    result = await Promise.race([
      Promise.resolve()
        .then(() => workflow.fn(context, input))
        .then(
          (value) => ({ type: 'return' as const, value }),
          (error: unknown) => ({ type: 'throw' as const, error }),
        ),
      control.settled.then(() => ({ type: 'control' as const })),
    ]);
  } catch (error) {
    result = { type: 'throw', error };
  } finally {
    timer.cancel();
  }
  // Park whatever workflow code is still running.
  const current = control.current;
  control.end();
  const seen = {
    replayedCalls: calls.next,
    recordedCalls: replay.recordedCalls,
    definitionChanges: findings.definitionChanges
      .filter((c) => c.policy === 'continue')
      .map((c) => ({ agent: c.agent, parts: c.parts, previous: c.previous, current: c.current })),
    patches: findings.patches.map((p) => ({ patchId: p.patchId, path: p.path })),
  };
  const check = verdictOf(record, { ...seen, compatible: true, stoppedAt: 'live' });
  const fail = (problem: ReplayProblem, stoppedAt: RunCheck['stoppedAt'] = 'stopped'): RunCheck =>
    verdictOf(record, { ...seen, compatible: false, stoppedAt, problem });
  if (current) {
    if (current.type === 'suspend') return verdictOf(record, { ...seen, compatible: true, stoppedAt: 'waiting' });
    if (current.type === 'stop' && current.reason === 'check-end') return check;
    if (current.type === 'stop' && current.reason === 'check-timeout')
      return fail({
        kind: 'timeout',
        message: `[@cairn/core] run "${runId}": replay neither ended nor blocked within ${timeoutMs} ms (is the workflow awaiting something outside ctx?)`,
      });
    if (current.type === 'stop' && current.reason === 'non-determinism') {
      const stopped = findings.definitionChanges.find((c) => c.policy === 'fail');
      const error = current.error as CairnError & { expected?: string; actual?: string; callIndex?: number };
      if (stopped)
        return fail({
          kind: 'definition-changed',
          message: error.message,
          agent: stopped.agent,
          parts: stopped.parts,
          previous: stopped.previous,
          current: stopped.current,
          tools: stopped.tools,
        });
      return fail({
        kind: 'non-determinism',
        message: error.message,
        seq: error.seq ?? null,
        callIndex: error.callIndex ?? null,
        recorded: error.expected ?? null,
        requested: error.actual ?? null,
      });
    }
    const error = current.type === 'stop' ? current.error : undefined;
    return fail({
      kind: 'error',
      message: `[@cairn/core] run "${runId}": replay stopped: ${current.type === 'stop' ? current.reason : current.type}`,
      error: serializeError(error ?? new Error(current.type)),
    });
  }
  if (result.type === 'control') return check;
  const unconsumed = unconsumedCalls(scope, calls, result.type === 'return' ? 'returned' : 'threw');
  if (unconsumed)
    return fail({
      kind: 'unconsumed-calls',
      message: unconsumed.message,
      seq: unconsumed.seq ?? null,
      callIndex: unconsumed.callIndex ?? null,
      recorded: unconsumed.expected ?? null,
      count: replay.recordedCalls - calls.next,
    });
  const stoppedAt = result.type === 'return' ? 'returned' : 'threw';
  const changed = outcomeChange(runId, entries, result);
  return changed ? fail(changed, stoppedAt) : verdictOf(record, { ...seen, compatible: true, stoppedAt });
}

/** A recorded `completed` run whose replay now throws or returns another output. */
function outcomeChange(
  runId: string,
  entries: readonly JournalEntry[],
  result: { type: 'return'; value: unknown } | { type: 'throw'; error: unknown },
): ReplayProblem | undefined {
  const last = entries.at(-1);
  if (last?.kind !== 'run-end') return undefined;
  const decoded = readEntry(last);
  if (decoded.kind !== 'run-end' || decoded.record.status !== 'completed') return undefined;
  const what = { runId, what: 'workflow output' };
  const recorded = encode(decoded.record.output, what);
  let replayed: string;
  try {
    replayed = result.type === 'return' ? encode(result.value, what) : `throws ${serializeError(result.error).message}`;
  } catch (error) {
    replayed = `an output that cannot be journaled: ${(error as Error).message}`;
  }
  if (recorded === replayed) return undefined;
  return {
    kind: 'outcome-changed',
    message: `[@cairn/core] run "${runId}": the run completed with ${recorded.slice(0, 200)}, the code now ${result.type === 'return' ? `returns ${replayed.slice(0, 200)}` : replayed.slice(0, 200)}`,
    recorded,
    replayed,
  };
}

function patchUses(runs: readonly RunCheck[]): PatchUse[] {
  const uses = new Map<string, PatchUse>();
  for (const run of runs) {
    for (const patch of run.patches) {
      const use = uses.get(patch.patchId) ?? { patchId: patch.patchId, oldPath: [], newPath: [], retirable: true };
      const list = patch.path === 'old' ? use.oldPath : use.newPath;
      if (!list.includes(run.runId)) list.push(run.runId);
      if (patch.path === 'old' && ACTIVE.includes(run.status)) use.retirable = false;
      uses.set(patch.patchId, use);
    }
  }
  return [...uses.values()].sort((a, b) => a.patchId.localeCompare(b.patchId));
}
