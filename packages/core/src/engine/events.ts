/**
 * Typed run events for UIs and logs. Events are not journaled (the journal is the truth); they
 * describe what this runtime does, including what it replays.
 */
import type { PauseReason, RunStatus, RunUsage } from '../storage/types.ts';
import type { StepUsage } from './journal-format.ts';

/** A summary of an error safe to show (no payload contents). */
export interface ErrorSummary {
  name: string;
  message: string;
  code?: string;
}

interface Base {
  runId: string;
  /** Wall-clock time of the event. */
  at: number;
}

/** Every event a runtime emits. Names are noun-verb. */
export type RunEvent =
  | (Base & { type: 'run-start'; workflow: string })
  | (Base & { type: 'run-resume'; workflow: string; recordedSteps: number })
  | (Base & { type: 'run-retry'; attempt: number; by: string; reason?: string })
  | (Base & {
      type: 'step-start';
      stepId: string;
      name: string;
      index: number;
      attempt: number;
      effect: 'once' | 'retry';
    })
  | (Base & {
      type: 'step-end';
      stepId: string;
      name: string;
      index: number;
      replayed: boolean;
      durationMs: number;
      attempts: number;
      usage?: StepUsage;
    })
  | (Base & { type: 'step-retry'; stepId: string; attempt: number; delayMs: number; error: ErrorSummary })
  | (Base & { type: 'step-fail'; stepId: string; name: string; index: number; replayed: boolean; error: ErrorSummary })
  | (Base & { type: 'step-unknown'; stepId: string; policy: string })
  | (Base & { type: 'replay-end'; replayedSteps: number; savedTokens: number })
  | (Base & { type: 'signal-receive'; name: string })
  | (Base & { type: 'approval-request'; approvalId: string; details: unknown; expiresAt: number | null })
  | (Base & { type: 'approval-decide'; approvalId: string; approved: boolean; by: string })
  | (Base & { type: 'run-pause'; reason: PauseReason; wakeAt: number | null })
  | (Base & { type: 'run-end'; status: Exclude<RunStatus, 'running' | 'paused'>; usage: RunUsage; error?: ErrorSummary })
  | (Base & { type: 'lease-lost'; reason: string })
  | (Base & { type: 'text-delta'; stepId: string; delta: string })
  | (Base & { type: 'custom'; name: string; data: unknown });

/** The type tag of an event. */
export type RunEventType = RunEvent['type'];

/** A readable one-line trace of an event (used by `debug: true`). */
export function formatEvent(event: RunEvent): string {
  const head = `[cairn] ${event.runId}`;
  switch (event.type) {
    case 'run-start':
      return `${head} ▶ start ${event.workflow}`;
    case 'run-resume':
      return `${head} ↻ resume ${event.workflow} (${event.recordedSteps} steps in journal)`;
    case 'run-retry':
      return `${head} ↻ retry (attempt ${event.attempt}) by ${event.by}${event.reason ? `: ${event.reason}` : ''}`;
    case 'step-start':
      return `${head}   · ${event.stepId} start${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`;
    case 'step-end':
      return `${head}   ${event.replayed ? '↺' : '✓'} ${event.stepId} ${event.replayed ? 'replayed' : `${event.durationMs} ms`}${event.usage ? ` ${event.usage.inputTokens}+${event.usage.outputTokens} tok` : ''}`;
    case 'step-retry':
      return `${head}   ⟳ ${event.stepId} attempt ${event.attempt} failed (${event.error.message}); retry in ${event.delayMs} ms`;
    case 'step-fail':
      return `${head}   ✗ ${event.stepId} ${event.replayed ? 'failed (replayed)' : 'failed'}: ${event.error.message}`;
    case 'step-unknown':
      return `${head}   ? ${event.stepId} outcome unknown → ${event.policy}`;
    case 'replay-end':
      return `${head}   ↺ replayed ${event.replayedSteps} steps, ${event.savedTokens} tokens not re-spent`;
    case 'signal-receive':
      return `${head}   ✉ signal ${event.name}`;
    case 'approval-request':
      return `${head}   ⏸ approval ${event.approvalId} requested`;
    case 'approval-decide':
      return `${head}   ${event.approved ? '✔' : '✘'} approval ${event.approvalId} by ${event.by}`;
    case 'run-pause':
      return `${head} ⏸ paused (${event.reason})${event.wakeAt ? ` until ${new Date(event.wakeAt).toISOString()}` : ''}`;
    case 'run-end':
      return `${head} ■ ${event.status}${event.error ? `: ${event.error.message}` : ''} (${event.usage.totalTokens} tok, ${event.usage.savedTokens} saved)`;
    case 'lease-lost':
      return `${head} ⚠ stopped: ${event.reason}`;
    case 'text-delta':
      return `${head}   … ${JSON.stringify(event.delta)}`;
    case 'custom':
      return `${head}   ${event.name}`;
  }
}
