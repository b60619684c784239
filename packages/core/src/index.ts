/**
 * @cairn/core — durable AI-agent runs. The engine, the storage contract, the memory store, errors
 * and the codec. Adapters live in their own packages and implement `DurableStore`.
 */

export type { CodecContext, SerializedError } from './codec.ts';
export { byteLength, decode, deserializeError, encode, serializeError } from './codec.ts';
export type { Clock, ManualClock, TimerHandle } from './engine/clock.ts';
export { createManualClock, systemClock } from './engine/clock.ts';
export type { ErrorSummary, RunEvent, RunEventType } from './engine/events.ts';
export { formatEvent } from './engine/events.ts';
export type { StepUsage } from './engine/journal-format.ts';
export type { Backoff, RetryPolicy } from './engine/retry-policy.ts';
export { DEFAULT_RETRY } from './engine/retry-policy.ts';
export type { HistoryItem, PendingApproval, RunInfo } from './engine/run-info.ts';
export type { ApprovalInput, CreateRuntimeOptions, RunHandle, Runtime } from './engine/runtime.ts';
export { createRuntime } from './engine/runtime.ts';
export type {
  ApprovalDecision,
  OnUnknown,
  ReconcileContext,
  ReconcileOutcome,
  StepContext,
  StepOptions,
  WaitForApprovalOptions,
  WaitForSignalOptions,
  Workflow,
  WorkflowContext,
} from './engine/workflow.ts';
export { defineWorkflow } from './engine/workflow.ts';
export * from './errors.ts';
export * from './storage/helpers.ts';
export type { CreateMemoryStoreOptions, MemoryBacking } from './storage/memory-store.ts';
export { createMemoryBacking, createMemoryStore } from './storage/memory-store.ts';
export * from './storage/run-id.ts';
export type { HeldRunLock, RunLocks } from './storage/run-locks.ts';
export * from './storage/types.ts';
