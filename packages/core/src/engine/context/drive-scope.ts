/**
 * What the workflow context sees of the drive it runs in: a narrow scope handed down by the driver.
 * The context calls down into it (commit, stop, block); nothing in it calls back into the context.
 */
import type { NewEntry, PauseReason, RunPatch, RunUsage } from '../../storage/types.ts';
import type { Clock } from '../clock.ts';
import type { CommitResult } from '../commit-queue.ts';
import type { RunEvent } from '../events.ts';
import type { ChangeMarkRecord, StepUsage } from '../journal-format.ts';
import type { RetryPolicy } from '../retry-policy.ts';
import type { ReplayState } from './replay-state.ts';

/** A wait the workflow is blocked on (sleep, signal, approval). */
export interface BlockedWait {
  stepId: string;
  reason: PauseReason;
  wakeAt: number | null;
  /** Re-examine the wait (a signal arrived, time passed); settles it when it can. */
  poll(): void;
}

/** Why a drive stops before the workflow returns. */
export type Control = { type: 'suspend' } | { type: 'cancel'; reason: string } | { type: 'stop'; reason: string; error: unknown };

/** The drive's stop switch and its count of work in progress. */
export interface DriveControl {
  /** Aborted when the drive stops for any reason but a suspend (cancel, lost lease, end). */
  readonly signal: AbortSignal;
  /** Set once: why the drive must stop. */
  readonly current: Control | undefined;
  /** Stop the drive (non-determinism, lost lease, storage failure). */
  stop(reason: string, error: unknown): void;
  /** Work in progress (commits, step functions); none with waits blocked means the run can pause. */
  beginWork(): void;
  endWork(): void;
  block(wait: BlockedWait): void;
  unblock(stepId: string): void;
}

/** Where the context's entries go: the run's commit queue, behind the driver's bookkeeping. */
export interface JournalWriter {
  /** Append entries (and a header patch) to the run's journal. */
  commit(entries: NewEntry[], patch?: RunPatch): Promise<CommitResult>;
}

/** Tokens of the run in call order (deterministic), plus what replay saved in this drive. */
export interface UsageTally {
  readonly totals: RunUsage;
  savedThisDrive: number;
}

/** Add a step's usage to the tally. */
export function addUsage(tally: UsageTally, usage: StepUsage | undefined, replayed: boolean): void {
  if (!usage) return;
  const tokens = usage.inputTokens + usage.outputTokens;
  tally.totals.inputTokens += usage.inputTokens;
  tally.totals.outputTokens += usage.outputTokens;
  tally.totals.totalTokens += tokens;
  tally.totals.modelCalls += 1;
  if (replayed) {
    tally.savedThisDrive += tokens;
    tally.totals.savedTokens += tokens;
  }
}

/** What a check-only drive (`checkReplay`) notices on the way; nothing is executed or written. */
export interface CheckFindings {
  /** Each `ctx.patched` answer: `old` = the run keeps the old path. */
  patches: Array<{ patchId: string; path: 'old' | 'new'; index: number }>;
  /** Agent definition changes met where replay ends. */
  definitionChanges: Array<Extract<ChangeMarkRecord, { type: 'definition' }> & { policy: 'continue' | 'fail' }>;
}

/** Everything one drive shares with its workflow context. */
export interface DriveScope {
  readonly runId: string;
  readonly workflow: string;
  readonly clock: Clock;
  readonly random: () => number;
  readonly retry: RetryPolicy;
  readonly maxPayloadBytes: number;
  /** True when the drive replays a journal (a resume), so `replay-end` is worth an event. */
  readonly resumed: boolean;
  readonly replay: ReplayState;
  readonly control: DriveControl;
  readonly journal: JournalWriter;
  readonly usage: UsageTally;
  emit(event: RunEvent): void;
  /** Before a step function runs: resolves once the lease is certainly held, else stops the drive. */
  ensureLease(): Promise<void>;
  /** Set on a check-only drive: it stops (reason `check-end`) at the first call the journal lacks. */
  readonly check?: CheckFindings;
}
