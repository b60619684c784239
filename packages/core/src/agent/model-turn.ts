/**
 * One model call as one journaled step (`model#n`, `effect: 'retry'`: one write). The step records
 * only what is new — the assistant message, the finish reason and the request hash — plus the usage
 * in the engine's own field, so bytes per turn stay flat however long the run grows (ADR 0060).
 */
import type { StepUsage } from '../engine/journal-format.ts';
import type { WorkflowContext } from '../engine/workflow.ts';
import { CairnError } from '../errors.ts';
import type { AssistantMessage, FinishReason, ModelRequest, ModelResponse } from '../models/language-model.ts';
import type { ResolvedAgentOptions } from './agent-options.ts';
import { type Conversation, chainHash } from './conversation.ts';
import type { DefinitionSnapshot } from './definition.ts';
import { normalizeReasoning } from './reasoning.ts';

/** What a model step records: message, finish reason, request hash (and the definition, when new to the run). */
export interface ModelTurn {
  m: AssistantMessage;
  f: FinishReason;
  h: string;
  /** The definition's hashes, on the run's first turn (ADR 0101). */
  d?: DefinitionSnapshot;
}

/** Keep only the journal-safe fields of a reply, so the live and the replayed message are identical. */
function normalize(message: AssistantMessage): AssistantMessage {
  const content = typeof message.content === 'string' ? message.content : null;
  const calls = (message.toolCalls ?? []).map((c) => ({
    id: String(c.id),
    name: String(c.name),
    arguments: String(c.arguments),
  }));
  const normalized: AssistantMessage =
    calls.length > 0 ? { role: 'assistant', content, toolCalls: calls } : { role: 'assistant', content };
  const reasoning = normalizeReasoning(message.reasoning);
  return reasoning ? { ...normalized, reasoning } : normalized;
}

/** Errors of our own adapters name the model; add the run, which only the agent knows. */
function withRunId(error: unknown, runId: string): unknown {
  if (CairnError.is(error) && error.message.startsWith('[@cairn/core] model ')) {
    error.message = `[@cairn/core] run "${runId}": ${error.message.slice('[@cairn/core] '.length)}`;
  }
  return error;
}

/** Call the model once (or replay its recorded reply) and append the reply to the conversation. */
export async function modelTurn<O>(
  ctx: WorkflowContext,
  agent: ResolvedAgentOptions<O>,
  conversation: Conversation,
): Promise<ModelTurn> {
  const previous = conversation.hash;
  const added = conversation.unhashed;
  conversation.unhashed = [];
  // Usage goes into the engine's `u` field; keeping it out of the value avoids writing it twice.
  const usageOf = new WeakMap<ModelTurn, StepUsage>();
  const streaming = agent.stream && typeof agent.model.stream === 'function';
  const turn = await ctx.step(
    'model',
    async (step): Promise<ModelTurn> => {
      // Built here, not before the step: a replayed step must cost O(1), not a copy of the conversation.
      // The conversation does not change while the step runs (the reply is appended after it).
      const request: ModelRequest = {
        messages: conversation.messages.slice(),
        tools: agent.definitions,
        ...(agent.output ? { output: { name: 'output', schema: agent.output.json } } : {}),
      };
      const definition = await agent.definition;
      const hash = await chainHash(previous, definition.h, added);
      let response: ModelResponse;
      try {
        response = streaming
          ? await agent.model.stream!(request, {
              signal: step.signal,
              onTextDelta: (delta) => step.emit({ type: 'text-delta', delta }),
            })
          : await agent.model.generate(request, { signal: step.signal });
      } catch (error) {
        throw withRunId(error, ctx.runId);
      }
      const recorded: ModelTurn = { m: normalize(response.message), f: response.finishReason, h: hash };
      // The run's first turn records the definition; later changes are journaled as change marks.
      if (!conversation.definition.recorded) recorded.d = definition;
      usageOf.set(recorded, { inputTokens: response.usage.inputTokens, outputTokens: response.usage.outputTokens });
      return recorded;
    },
    {
      usage: (recorded) => usageOf.get(recorded),
      ...(agent.modelRetry !== undefined ? { retry: agent.modelRetry } : {}),
      ...(agent.modelTimeoutMs !== undefined ? { timeoutMs: agent.modelTimeoutMs } : {}),
    },
  );
  conversation.hash = turn.h;
  conversation.definition.recorded ??= turn.d;
  conversation.push(turn.m);
  return turn;
}

/**
 * The assistant message and finish reason a recorded `model#n` step value holds (its `value` in
 * `runtime.history`), or undefined when the value is not a model turn. For readers of the journal
 * outside the agent (UI streams), so the field letters stay this file's.
 */
export function readModelTurn(value: unknown): { message: AssistantMessage; finishReason: FinishReason } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { m, f } = value as Partial<ModelTurn>;
  if (typeof m !== 'object' || m === null || m.role !== 'assistant' || typeof f !== 'string') return undefined;
  return { message: m, finishReason: f };
}
