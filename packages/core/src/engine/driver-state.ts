/**
 * The state one drive of a run shares between the workflow context and the driver.
 */
import type { DurableStore, PauseReason, RunRecord, RunUsage } from '../storage/types.ts';
import type { Clock } from './clock.ts';
import type { CommitQueue, RunCursor } from './commit-queue.ts';
import type { RunEvent } from './events.ts';
import type { ReplayState } from './replay-state.ts';
import type { RetryPolicy } from './retry-policy.ts';

/** A wait the workflow is blocked on (sleep, signal, approval). */
export interface BlockedWait {
  stepId: string;
  reason: PauseReason;
  wakeAt: number | null;
  /** Re-examine the wait (a signal arrived, time passed). Resolves true when it was settled. */
  poll(): void;
}

/** Why a drive stops before the workflow returns. */
export type Control = { type: 'suspend' } | { type: 'cancel'; reason: string } | { type: 'stop'; reason: string; error: unknown };

/** Shared state of one drive. */
export interface DriverState {
  readonly runId: string;
  readonly workflow: string;
  readonly store: DurableStore;
  readonly clock: Clock;
  readonly owner: string;
  readonly retry: RetryPolicy;
  readonly random: () => number;
  readonly cursor: RunCursor;
  readonly queue: CommitQueue;
  readonly replay: ReplayState;
  readonly abort: AbortController;
  readonly emit: (event: RunEvent) => void;
  /** Header as last seen. */
  record: RunRecord;
  /** Usage accumulated over the journal in call order (deterministic), plus live steps. */
  usage: RunUsage;
  /** Tokens replayed (not re-spent) during this drive. */
  savedThisDrive: number;
  /** Called when the workflow first asks for something the journal does not hold (emits replay-end once). */
  replayEnd(): void;
  replayedSteps: number;
  nextCallIndex: number;
  nameCounters: Map<string, number>;
  /** Work in progress (commits, step functions); zero with waits blocked means the run can pause. */
  pendingOps: number;
  blocked: Map<string, BlockedWait>;
  /** Set once: the reason the drive must stop. */
  control: Control | undefined;
  signalControl(control: Control): void;
  /** Called when pendingOps or blocked change. */
  checkQuiescence(): void;
}
