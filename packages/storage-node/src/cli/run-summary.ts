/**
 * The JSON shape of a run in `list` and `cleanup --dry-run` (stable; documented in
 * docs/guide/cli.md), and the words a status reads as.
 */
import type { RunRecord, RunUsage } from '@cairn/core';

/** A run without its payloads. */
export interface RunSummary {
  runId: string;
  workflow: string;
  status: RunRecord['status'];
  pauseReason: RunRecord['pauseReason'];
  wakeAt: number | null;
  step: { index: number; name: string | null };
  usage: RunUsage;
  createdAt: number;
  updatedAt: number;
  /** The run's metadata (`null` when none). */
  metadata: Record<string, string> | null;
}

/** The summary of a header. */
export function summarize(
  record: Pick<
    RunRecord,
    'runId' | 'workflow' | 'status' | 'pauseReason' | 'wakeAt' | 'step' | 'usage' | 'createdAt' | 'updatedAt'
  > & {
    metadata?: Record<string, string> | null;
  },
): RunSummary {
  return {
    runId: record.runId,
    workflow: record.workflow,
    status: record.status,
    pauseReason: record.pauseReason,
    wakeAt: record.wakeAt,
    step: record.step,
    usage: record.usage,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    metadata: record.metadata ?? null,
  };
}

/** `paused (approval)`, `completed`… */
export function statusText(status: string, pauseReason: string | null): string {
  return status === 'paused' && pauseReason ? `paused (${pauseReason})` : status;
}

/** `#7 tool:refund`, or `-` before the first step. */
export function stepText(step: { index: number; name: string | null }): string {
  return step.name ? `#${step.index} ${step.name}` : '-';
}
