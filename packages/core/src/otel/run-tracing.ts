/**
 * OpenTelemetry spans of runs, built from the runtime's events (ADR 0137): pass `tracing.onEvent`
 * as `createRuntime({ onEvent })` and nothing in the engine changes — without it, nothing runs.
 *
 * Invariants:
 * - every span starts and ends in the process that made it, at the event times (`event.at`), so a
 *   SIGKILL loses at most the spans of steps in flight, which the next process runs and reports;
 * - every span of a run is a child of the run's persisted context (`traceparent` metadata written
 *   by `startMetadata`, read from the store when this process first sees the run), so a resumed run
 *   is one trace across processes;
 * - replayed steps are spans too, marked `cairn.step.replayed = true`, without token usage (no
 *   token was spent for them);
 * - a run's events are handled in order, one chain per run; a run whose header cannot be read gets
 *   no spans in this process (never spans in a stray trace), and telemetry never fails a run.
 */
import { type Attributes, type Context, context, type Span, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { RunEvent } from '../engine/events.ts';
import type { DurableStore } from '../storage/types.ts';
import { formatTraceparent, runParentContext, TRACEPARENT_KEY } from './trace-context.ts';

/** The model behind a workflow's `model#n` steps, for the GenAI attributes. */
export interface GenAIModelInfo {
  /** `gen_ai.system` (and `gen_ai.provider.name`), e.g. `openai`, `anthropic`. */
  system: string;
  /** `gen_ai.request.model`, e.g. `gpt-4o-mini`. */
  requestModel: string;
}

/** Options of `createRunTracing`. */
export interface CreateRunTracingOptions {
  tracer: Tracer;
  /** The runtime's store: a run's trace context is read from its metadata there. */
  store: DurableStore;
  /** The model of each workflow's model steps (agents), for `gen_ai.*` attributes. */
  genAI?: GenAIModelInfo | ((workflow: string) => GenAIModelInfo | undefined);
  /** Recorded as `cairn.owner` on every span (e.g. the runtime's lease owner), to tell processes apart. */
  owner?: string;
}

/** What `createRunTracing` returns. */
export interface RunTracing {
  /** Give to `createRuntime({ onEvent })` (or an agent's `runtime.onEvent`). */
  onEvent(event: RunEvent): void;
  /**
   * Start a run's trace: a `cairn.run <workflow>` span, child of the active context (an incoming
   * request's span, say), ended at once; returns `metadata` plus its `traceparent`, to pass to
   * `runtime.start(…, { metadata })`. Every span of the run, in any process, is its child.
   */
  startMetadata(workflow: string, options?: { runId?: string; metadata?: Record<string, string> }): Record<string, string>;
  /** Resolves once every event received so far is turned into spans. */
  flush(): Promise<void>;
}

interface RunState {
  chain: Promise<void>;
  parent?: Context;
  workflow: string;
  steps: Map<string, Span>;
  resume?: Span;
  /** The run's header could not be read: no spans for it here. */
  unreadable?: boolean;
}

function kindOf(name: string): 'model' | 'tool' | 'step' {
  if (name === 'model') return 'model';
  return name.startsWith('tool:') ? 'tool' : 'step';
}

const ENDING: ReadonlySet<RunEvent['type']> = new Set(['run-end', 'run-pause', 'lease-lost']);

/**
 * Spans for runs, steps, model calls and tool calls, with the GenAI semantic-convention attributes.
 *
 * @example
 * const tracing = createRunTracing({ tracer: trace.getTracer('my-app'), store, genAI: { system: 'openai', requestModel: 'gpt-4o-mini' } });
 * const runtime = createRuntime({ store, workflows: [agent], onEvent: tracing.onEvent });
 * await runtime.start(agent, input, { runId, metadata: tracing.startMetadata(agent.name, { runId }) });
 */
export function createRunTracing(options: CreateRunTracingOptions): RunTracing {
  const { tracer, store } = options;
  const runs = new Map<string, RunState>();
  const pending = new Set<Promise<void>>();
  const common: Attributes = options.owner !== undefined ? { 'cairn.owner': options.owner } : {};

  const genAIOf = (workflow: string): GenAIModelInfo | undefined =>
    typeof options.genAI === 'function' ? options.genAI(workflow) : options.genAI;

  function stepSpan(state: RunState, runId: string, event: { stepId: string; name: string; index: number; at: number }): Span {
    const kind = kindOf(event.name);
    const attributes: Attributes = {
      ...common,
      'cairn.run.id': runId,
      'cairn.workflow': state.workflow,
      'cairn.step.id': event.stepId,
      'cairn.step.name': event.name,
      'cairn.step.index': event.index,
    };
    let name = `cairn.step ${event.name}`;
    if (kind === 'model') {
      const model = genAIOf(state.workflow);
      attributes['gen_ai.operation.name'] = 'chat';
      if (model) {
        attributes['gen_ai.system'] = model.system;
        attributes['gen_ai.provider.name'] = model.system;
        attributes['gen_ai.request.model'] = model.requestModel;
      }
      name = model ? `chat ${model.requestModel}` : 'chat';
    } else if (kind === 'tool') {
      const tool = event.name.slice('tool:'.length);
      attributes['gen_ai.operation.name'] = 'execute_tool';
      attributes['gen_ai.tool.name'] = tool;
      name = `execute_tool ${tool}`;
    }
    return tracer.startSpan(
      name,
      { kind: kind === 'model' ? SpanKind.CLIENT : SpanKind.INTERNAL, startTime: event.at, attributes },
      state.parent,
    );
  }

  function instant(state: RunState, runId: string, name: string, at: number, attributes: Attributes, error?: string): void {
    const span = tracer.startSpan(
      name,
      { startTime: at, attributes: { ...common, 'cairn.run.id': runId, 'cairn.workflow': state.workflow, ...attributes } },
      state.parent,
    );
    if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
    span.end(at);
  }

  function handle(state: RunState, event: RunEvent): void {
    const { runId } = event;
    switch (event.type) {
      case 'run-resume':
        state.resume = tracer.startSpan(
          'cairn.run.resume',
          {
            startTime: event.at,
            attributes: {
              ...common,
              'cairn.run.id': runId,
              'cairn.workflow': state.workflow,
              'cairn.run.recorded_steps': event.recordedSteps,
            },
          },
          state.parent,
        );
        return;
      case 'replay-end':
        state.resume?.setAttributes({
          'cairn.run.replayed_steps': event.replayedSteps,
          'cairn.run.saved_tokens': event.savedTokens,
        });
        state.resume?.end(event.at);
        state.resume = undefined;
        return;
      case 'run-retry':
        instant(state, runId, 'cairn.run.retry', event.at, {
          'cairn.run.attempt': event.attempt,
          'cairn.run.retried_by': event.by,
        });
        return;
      case 'step-start': {
        if (!state.steps.has(event.stepId)) state.steps.set(event.stepId, stepSpan(state, runId, event));
        return;
      }
      case 'step-retry':
        state.steps
          .get(event.stepId)
          ?.addEvent(
            'cairn.step.retry',
            { 'cairn.step.attempt': event.attempt, 'cairn.step.retry_delay_ms': event.delayMs, 'error.type': event.error.name },
            event.at,
          );
        return;
      case 'step-unknown':
        state.steps.get(event.stepId)?.addEvent('cairn.step.outcome_unknown', { 'cairn.step.policy': event.policy }, event.at);
        return;
      case 'step-end':
      case 'step-fail': {
        const executed = state.steps.get(event.stepId);
        state.steps.delete(event.stepId);
        const span = executed && !event.replayed ? executed : stepSpan(state, runId, event);
        span.setAttribute('cairn.step.replayed', event.replayed);
        if (event.type === 'step-end') {
          span.setAttribute('cairn.step.attempts', event.attempts);
          if (event.usage && !event.replayed)
            span.setAttributes({
              'gen_ai.usage.input_tokens': event.usage.inputTokens,
              'gen_ai.usage.output_tokens': event.usage.outputTokens,
            });
        } else {
          span.setAttribute('error.type', event.error.code ?? event.error.name);
          span.setStatus({ code: SpanStatusCode.ERROR, message: event.error.message });
        }
        span.end(event.at);
        return;
      }
      case 'run-pause':
        instant(state, runId, 'cairn.run.pause', event.at, { 'cairn.run.pause_reason': event.reason });
        return;
      case 'run-end': {
        const { usage } = event;
        instant(
          state,
          runId,
          'cairn.run.end',
          event.at,
          {
            'cairn.run.status': event.status,
            'gen_ai.usage.input_tokens': usage.inputTokens,
            'gen_ai.usage.output_tokens': usage.outputTokens,
            'cairn.run.saved_tokens': usage.savedTokens,
          },
          event.status === 'failed' ? (event.error?.message ?? 'failed') : undefined,
        );
        return;
      }
      case 'lease-lost':
        for (const span of state.steps.values()) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: `lease lost: ${event.reason}` });
          span.end(event.at);
        }
        state.steps.clear();
        return;
      default:
        return;
    }
  }

  function stateOf(runId: string, workflow: string): RunState {
    let state = runs.get(runId);
    if (state) return state;
    const created: RunState = { chain: Promise.resolve(), workflow, steps: new Map() };
    created.chain = store
      .getRun(runId)
      .then(async (record) => {
        created.workflow = record?.workflow ?? workflow;
        created.parent = await runParentContext(runId, record?.metadata);
      })
      .catch(() => {
        // Without the run's context its spans would start stray traces: make none in this process.
        created.unreadable = true;
      });
    state = created;
    runs.set(runId, state);
    return state;
  }

  return {
    onEvent(event) {
      const state = stateOf(event.runId, 'workflow' in event ? event.workflow : '');
      if (ENDING.has(event.type) && runs.get(event.runId) === state) runs.delete(event.runId);
      // A store that cannot be read costs this run its spans, never the run itself.
      const link = state.chain
        .then(() => {
          if (!state.unreadable) handle(state, event);
        })
        .catch(() => {});
      state.chain = link;
      pending.add(link);
      void link.then(() => pending.delete(link));
    },
    startMetadata(workflow, startOptions = {}) {
      const span = tracer.startSpan(
        `cairn.run ${workflow}`,
        {
          attributes: {
            ...common,
            'cairn.workflow': workflow,
            ...(startOptions.runId !== undefined ? { 'cairn.run.id': startOptions.runId } : {}),
          },
        },
        context.active(),
      );
      const traceparent = formatTraceparent(span.spanContext());
      span.end();
      return { ...startOptions.metadata, [TRACEPARENT_KEY]: traceparent };
    },
    async flush() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
