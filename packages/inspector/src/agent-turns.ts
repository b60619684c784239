/**
 * An agent run as a conversation, read from its history: the input, each model reply (text and
 * tool calls), each tool result, the approvals with who decided, when and why, and the answer.
 * Model steps record `{ m: { content, toolCalls } }` (ADR 0060); anything else shows as a step.
 */
import type { HistoryItem, RunInfo } from '@cairn/core';

/** One entry of the conversation. */
export type Turn =
  | { kind: 'input'; content: unknown }
  | {
      kind: 'model';
      seq: number;
      stepId: string;
      content: string | null;
      toolCalls: ToolCall[];
      inputTokens?: number;
      outputTokens?: number;
    }
  | { kind: 'tool'; seq: number; stepId: string; tool: string; result?: unknown; error?: string }
  | { kind: 'approval'; seq: number; approvalId: string; details: unknown }
  | { kind: 'decision'; seq: number; approvalId: string; approved: boolean; by: string; reason?: string; at: number }
  | { kind: 'output'; content: unknown };

/** A tool call a model asked for. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

interface ModelValue {
  m?: { content?: unknown; toolCalls?: unknown };
}

function toolCalls(value: unknown): ToolCall[] {
  if (!Array.isArray(value)) return [];
  return value.map((call) => {
    const c = (call ?? {}) as Record<string, unknown>;
    return {
      id: typeof c.id === 'string' ? c.id : '',
      name: typeof c.name === 'string' ? c.name : '?',
      arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments ?? null),
    };
  });
}

/** Whether the run looks like an agent's (it has model steps). */
export function isAgentRun(history: readonly HistoryItem[]): boolean {
  return history.some((item) => item.kind === 'step-end' && item.key.startsWith('model#'));
}

/** The conversation of an agent run. */
export function conversationOf(info: RunInfo, history: readonly HistoryItem[]): Turn[] {
  const turns: Turn[] = [{ kind: 'input', content: info.input }];
  for (const item of history) {
    if ((item.kind === 'step-end' || item.kind === 'step-fail') && item.key.startsWith('model#')) {
      const message = (item.value as ModelValue | undefined)?.m;
      turns.push({
        kind: 'model',
        seq: item.seq,
        stepId: item.key,
        content: typeof message?.content === 'string' ? message.content : item.error ? `(failed: ${item.error.message})` : null,
        toolCalls: toolCalls(message?.toolCalls),
        ...(item.usage ? { inputTokens: item.usage.inputTokens, outputTokens: item.usage.outputTokens } : {}),
      });
    } else if ((item.kind === 'step-end' || item.kind === 'step-fail') && item.key.startsWith('tool:')) {
      turns.push({
        kind: 'tool',
        seq: item.seq,
        stepId: item.key,
        tool: item.key.slice('tool:'.length).replace(/#\d+$/, ''),
        ...(item.kind === 'step-end'
          ? { result: item.value }
          : { error: `${item.error?.name ?? 'Error'}: ${item.error?.message ?? ''}` }),
      });
    } else if (item.kind === 'approval-request') {
      turns.push({ kind: 'approval', seq: item.seq, approvalId: item.key, details: item.value });
    } else if (item.kind === 'approval-decide' && item.approval) {
      turns.push({ kind: 'decision', seq: item.seq, approvalId: item.key, ...item.approval });
    }
  }
  if (info.status === 'completed') turns.push({ kind: 'output', content: info.output });
  return turns;
}
