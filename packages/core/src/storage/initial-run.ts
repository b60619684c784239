/**
 * The header of a run that has just been created: `running`, nothing recorded, every optional field
 * empty. The runtime's `start` and `fork` and every test fixture build runs through this one function,
 * so a new header field is added in one place.
 */
import type { Lease, NewRun, RunUsage } from './types.ts';

/** Usage of a run that has made no model call. */
export function emptyUsage(): RunUsage {
  return { inputTokens: 0, outputTokens: 0, totalTokens: 0, savedTokens: 0, modelCalls: 0 };
}

/** What a new run is made of; the rest starts empty. */
export interface InitialRunFields {
  runId: string;
  workflow: string;
  /** Encoded input (core codec). */
  input: string;
  /** Creation time; `updatedAt` starts equal to it. */
  createdAt: number;
  lease?: Lease | null;
  forkedFrom?: { runId: string; atSeq: number } | null;
  metadata?: Record<string, string> | null;
  expiresAt?: number | null;
}

/**
 * A `NewRun` for `createRun`.
 *
 * @example
 * await store.createRun(initialRun({ runId: 'run-1', workflow: 'greet', input: '{"v":"Ada"}', createdAt: Date.now() }));
 */
export function initialRun(fields: InitialRunFields): NewRun {
  return {
    runId: fields.runId,
    workflow: fields.workflow,
    status: 'running',
    pauseReason: null,
    wakeAt: null,
    lease: fields.lease ?? null,
    input: fields.input,
    output: null,
    error: null,
    usage: emptyUsage(),
    step: { index: 0, name: null },
    cancelRequested: false,
    forkedFrom: fields.forkedFrom ?? null,
    metadata: fields.metadata ?? null,
    expiresAt: fields.expiresAt ?? null,
    attempt: 1,
    createdAt: fields.createdAt,
    updatedAt: fields.createdAt,
  };
}
