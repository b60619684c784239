/**
 * @cairn/core — durable AI-agent runs. The engine, the storage contract, the memory store, errors
 * and the codec. Adapters live in their own packages and implement `DurableStore`. The OpenAI
 * model is `@cairn/core/openai` (with `openai` as an optional peer: ADR 0133).
 */

export type { AgentConstructor, AgentOptions, AgentResult, AgentRunOptions, UsageLedger } from './agent/agent.ts';
export { Agent, createAgent } from './agent/agent.ts';
export type { DefineAgentOptions } from './agent/agent-options.ts';
export type { BudgetApprovalData, BudgetApprovalDetails } from './agent/budget.ts';
export type { AgentInput } from './agent/conversation.ts';
export type { AgentWorkflow } from './agent/define-agent.ts';
export { defineAgent } from './agent/define-agent.ts';
export type { SchemaIssue } from './agent/json-schema-check.ts';
export { readModelTurn } from './agent/model-turn.ts';
export type { AgentTool, AnyTool, ToolContext, ToolOnUnknown, ToolOptions } from './agent/tool.ts';
export { tool } from './agent/tool.ts';
export type { ToolApprovalDetails } from './agent/tool-calls.ts';
export { parseToolArguments } from './agent/tool-calls.ts';
export type { RedactToolError, ToolErrorInfo } from './agent/tool-error-redaction.ts';
export { defaultRedactToolError, MAX_TOOL_ERROR_CHARS, redactSecrets } from './agent/tool-error-redaction.ts';
export type { Checked, StandardIssue, StandardSchemaV1, ToolInputSchema, ToolJsonSchema } from './agent/tool-schema.ts';
export type { CodecContext, SerializedError } from './codec.ts';
export { byteLength, decode, deserializeError, encode, serializeError } from './codec.ts';
export type {
  CheckReplayOptions,
  CheckReplayReport,
  CheckSelection,
  PatchUse,
  ReplayProblem,
  RunCheck,
} from './engine/check-replay.ts';
export { checkReplay } from './engine/check-replay.ts';
export type { Clock, ManualClock, TimerHandle } from './engine/clock.ts';
export { createManualClock, systemClock } from './engine/clock.ts';
export type { DurableRunEvent, EventStreamOptions, RunEventPage } from './engine/durable-events.ts';
export { readRunEvents } from './engine/durable-events.ts';
export type { ErrorSummary, RunEvent, RunEventType } from './engine/events.ts';
export { formatEvent } from './engine/events.ts';
export type { ChangeMarkRecord, DefinitionPart, StepUsage } from './engine/journal-format.ts';
export type { Backoff, RetryPolicy } from './engine/retry-policy.ts';
export { DEFAULT_RETRY } from './engine/retry-policy.ts';
export type { HistoryItem, PendingApproval, RunInfo } from './engine/run-info.ts';
export type { HistoryOptions, ListQuery, Retention } from './engine/runtime/management.ts';
export { nextRetentionAt } from './engine/runtime/management.ts';
export type { RetryAllQuery, RetryOptions } from './engine/runtime/retry-run.ts';
export type { StartOptions } from './engine/runtime/runtime-types.ts';
export type { ServeOptions, Server } from './engine/runtime/serve-loop.ts';
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
export { defineWorkflow, MAX_STEP_LABEL } from './engine/workflow.ts';
export * from './errors.ts';
export type {
  AgentMessage,
  AssistantMessage,
  Attachment,
  FinishReason,
  GenerateOptions,
  LanguageModel,
  ModelRequest,
  ModelResponse,
  ModelUsage,
  ReasoningPart,
  StreamOptions,
  ToolCall,
  ToolDefinition,
} from './models/language-model.ts';
export type { CreateScriptedModelOptions, Script, ScriptedModel, ScriptedReply, ScriptInfo } from './models/scripted-model.ts';
export { createScriptedModel } from './models/scripted-model.ts';
export * from './storage/helpers.ts';
export type { InitialRunFields } from './storage/initial-run.ts';
export { emptyUsage, initialRun } from './storage/initial-run.ts';
export type { CreateMemoryStoreOptions, MemoryBacking } from './storage/memory-store.ts';
export { createMemoryBacking, createMemoryStore } from './storage/memory-store.ts';
export type { PortableRun, PortableRunHeader } from './storage/portable-run.ts';
export { exportRun, importRun, PORTABLE_RUN_FORMAT, PORTABLE_RUN_VERSION, parsePortableRun } from './storage/portable-run.ts';
export * from './storage/run-id.ts';
export type { HeldRunLock, RunLocks } from './storage/run-locks.ts';
export * from './storage/types.ts';
