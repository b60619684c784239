/**
 * @cairn/core — durable AI-agent runs. The engine, the storage contract, the memory store, errors
 * and the codec. Adapters live in their own packages and implement `DurableStore`.
 */
export * from './errors.ts';
export * from './storage/types.ts';
export * from './storage/helpers.ts';
export * from './storage/run-id.ts';
export { createMemoryStore, createMemoryBacking } from './storage/memory-store.ts';
export type { CreateMemoryStoreOptions, MemoryBacking } from './storage/memory-store.ts';
export { encode, decode, serializeError, deserializeError, byteLength } from './codec.ts';
export type { SerializedError, CodecContext } from './codec.ts';
export type { RunLocks, HeldRunLock } from './storage/run-locks.ts';
export { createRuntime } from './engine/runtime.ts';
export type { CreateRuntimeOptions, Runtime, RunHandle, ApprovalInput } from './engine/runtime.ts';
export { defineWorkflow } from './engine/workflow.ts';
export type {
  Workflow,
  WorkflowContext,
  StepContext,
  StepOptions,
  OnUnknown,
  ReconcileContext,
  ReconcileOutcome,
  WaitForSignalOptions,
  WaitForApprovalOptions,
  ApprovalDecision,
} from './engine/workflow.ts';
export { systemClock, createManualClock } from './engine/clock.ts';
export type { Clock, ManualClock, TimerHandle } from './engine/clock.ts';
export { formatEvent } from './engine/events.ts';
export type { RunEvent, RunEventType, ErrorSummary } from './engine/events.ts';
export { DEFAULT_RETRY } from './engine/retry-policy.ts';
export type { RetryPolicy, Backoff } from './engine/retry-policy.ts';
export type { RunInfo, HistoryItem, PendingApproval } from './engine/run-info.ts';
export type { StepUsage } from './engine/journal-format.ts';
