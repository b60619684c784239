/**
 * @cairn/core/otel — OpenTelemetry spans for runs, steps, model calls and tool calls, from the
 * runtime's events (ADR 0137). Needs `@opentelemetry/api` (an optional peer of `@cairn/core`).
 */
export type { CreateRunTracingOptions, GenAIModelInfo, RunTracing } from './run-tracing.ts';
export { createRunTracing } from './run-tracing.ts';
export { formatTraceparent, parseTraceparent, runParentContext, TRACEPARENT_KEY } from './trace-context.ts';
