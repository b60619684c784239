/**
 * Reading an agent run's journal (`runtime.history`) from the Node side of the e2e tests: what
 * the page's timeline should show, and which tool calls the run recorded with which idempotency
 * keys and results.
 */
import type { HistoryItem } from '@cairn/core';
import type { TimelineItem } from './pages/run-timeline.ts';

/** What the timeline of a finished run must show: its ended and failed steps and its end, in journal order. */
export function expectedTimeline(history: readonly HistoryItem[]): TimelineItem[] {
  return history.flatMap((item): TimelineItem[] => {
    if (item.kind === 'run-end') return [{ kind: 'run-end', key: item.key, ...(item.status ? { status: item.status } : {}) }];
    if (item.kind === 'step-fail')
      return [{ kind: 'step-fail', key: item.key, ...(item.index !== undefined ? { index: item.index } : {}) }];
    if (item.kind !== 'step-end') return [];
    return [
      {
        kind: 'step-end',
        key: item.key,
        ...(item.index !== undefined ? { index: item.index } : {}),
        ...(item.attempts !== undefined ? { attempts: item.attempts } : {}),
        ...(item.durationMs !== undefined ? { durationMs: item.durationMs } : {}),
        ...(item.usage ? { tokens: `${item.usage.inputTokens}+${item.usage.outputTokens}` } : {}),
      },
    ];
  });
}

/** A tool call as the journal recorded it. */
export interface RecordedToolCall {
  /** Step id, e.g. `tool:forecast#2`. */
  stepId: string;
  /** `${runId}:${seq of its step-start intent}`: what the tool sent to the endpoint. */
  idempotencyKey: string;
  /** Attempts recorded with the result; 0 when reconcile found the effect done. */
  attempts: number | undefined;
  result: unknown;
}

/** The completed tool calls of `runId`, in journal order, each with the key its intent gave it. */
export function recordedToolCalls(runId: string, history: readonly HistoryItem[]): RecordedToolCall[] {
  const intents = new Map(history.filter((item) => item.kind === 'step-start').map((item) => [item.key, item.seq]));
  return history
    .filter((item) => item.kind === 'step-end' && item.key.startsWith('tool:'))
    .map((item) => {
      const intent = intents.get(item.key);
      if (intent === undefined) throw new Error(`tool step "${item.key}" of run "${runId}" has no step-start intent`);
      return { stepId: item.key, idempotencyKey: `${runId}:${intent}`, attempts: item.attempts, result: item.value };
    });
}

/** Throws unless every seq from 1 to the last is there exactly once. */
export function assertDense(history: readonly HistoryItem[]): void {
  history.forEach((item, position) => {
    if (item.seq !== position + 1) throw new Error(`journal not dense: seq ${item.seq} at position ${position}`);
  });
}
