/**
 * The AI SDK UI message chunks of an agent run, rebuilt from its journal (ADR 0135). One assistant
 * message per run: each recorded model turn is a step (reasoning, text, tool inputs), each tool step
 * its tool's output, each approval a tool approval request and response.
 *
 * Invariants:
 * - ids come from journal keys only (the run id, `model#n`, the model's tool call ids, approval
 *   ids), so two readers of the same journal — or one reader before and after a reload — produce
 *   the same chunks with the same ids;
 * - live text deltas of a model step and its recorded reply produce one text part together: the
 *   recorded text supplies whatever the deltas did not; a step whose live text was abandoned (a
 *   retried attempt) gets its recorded text as a new part under the same id (a reconnect shows the
 *   recorded text only);
 * - a tool step `tool:<name>#n` is matched to its call by the call id it recorded (its `label`);
 *   a step without one (journals written before labels) by the engine's call order: within one
 *   reply, the calls of a tool that ran take that tool's step numbers in order (approval waits
 *   count apart).
 */
import type { HistoryItem, ToolApprovalDetails } from '@cairn/core';
import { parseToolArguments, readModelTurn } from '@cairn/core';
import type { FinishReason, UIMessageChunk } from 'ai';

/** How a UI stream ended: the run's status when it stopped (and why, if paused). */
export interface RunStreamEnd {
  status: 'completed' | 'failed' | 'cancelled' | 'paused';
  pauseReason?: string | null;
  error?: { message: string } | undefined;
}

/** The message metadata the stream's `start` and `finish` chunks carry. */
export interface RunMessageMetadata {
  runId: string;
  status?: RunStreamEnd['status'];
  pauseReason?: string | null;
}

/** Turns journal history items (and live deltas) into UI message chunks, in order. */
export interface RunMessageChunks {
  /** The chunks of one journal item (items must come in seq order, each once). */
  item(item: HistoryItem): UIMessageChunk[];
  /** A live text delta of a model step not yet recorded (dropped once the step is recorded). */
  textDelta(stepId: string, delta: string): UIMessageChunk[];
  /** The closing chunks. */
  end(end: RunStreamEnd): UIMessageChunk[];
  /** The live text of this model step is void (a retried attempt): close it; the recorded text follows. */
  abandon(stepId: string): UIMessageChunk[];
}

interface Batch {
  /** Per tool: its step counter before this reply, and the calls of this reply that may run. */
  tools: Map<string, { base: number; calls: string[] }>;
  /** Calls of this reply with no outcome yet. */
  open: Set<string>;
}

const TOOL_KEY = /^tool:(.+)#(\d+)$/;
const MODEL_KEY = /^model#\d+$/;

function isToolApproval(value: unknown): value is ToolApprovalDetails {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'tool-call';
}

/** A translator for the run `runId`; it starts with the `start` chunk. */
export function createRunMessageChunks(runId: string): RunMessageChunks & { start(): UIMessageChunk[] } {
  let inStep = false;
  let finishReason: string | undefined;
  // Highest step number seen per tool name.
  const counters = new Map<string, number>();
  let batch: Batch = { tools: new Map(), open: new Set() };
  // Live text streamed per model step not yet recorded.
  const streamed = new Map<string, string>();
  const recorded = new Set<string>();
  // The model step whose live text opened the current UI step.
  let liveStep: string | undefined;
  // Approval id → call id, for decisions.
  const approvals = new Map<string, string>();

  const startStep = (out: UIMessageChunk[]): void => {
    if (!inStep) out.push({ type: 'start-step' });
    inStep = true;
  };
  const finishStep = (out: UIMessageChunk[]): void => {
    if (inStep) out.push({ type: 'finish-step' });
    inStep = false;
  };

  function closeBatch(out: UIMessageChunk[]): void {
    // Calls that never got a step (invalid input, unknown tool): the model was told why.
    for (const callId of batch.open)
      out.push({ type: 'tool-output-error', toolCallId: callId, errorText: 'the tool was not run (see the next reply)' });
    batch = { tools: new Map(), open: new Set() };
  }

  function modelTurn(item: HistoryItem, out: UIMessageChunk[]): void {
    const turn = readModelTurn(item.value);
    if (!turn) return;
    recorded.add(item.key);
    if (liveStep !== item.key) {
      finishStep(out);
      closeBatch(out);
    }
    startStep(out);
    const { message } = turn;
    finishReason = turn.finishReason;
    (message.reasoning ?? []).forEach((part, index) => {
      const id = `reasoning:${item.key}:${index}`;
      out.push({ type: 'reasoning-start', id }, { type: 'reasoning-delta', id, delta: part.text }, { type: 'reasoning-end', id });
    });
    const text = message.content ?? '';
    const id = `text:${item.key}`;
    const live = streamed.get(item.key);
    if (live !== undefined) {
      if (text.startsWith(live) && text.length > live.length)
        out.push({ type: 'text-delta', id, delta: text.slice(live.length) });
      out.push({ type: 'text-end', id });
      streamed.delete(item.key);
    } else if (text.length > 0) {
      out.push({ type: 'text-start', id }, { type: 'text-delta', id, delta: text }, { type: 'text-end', id });
    }
    for (const call of message.toolCalls ?? []) {
      const parsed = parseToolArguments(call.arguments);
      if (!parsed.ok) {
        out.push({
          type: 'tool-input-error',
          toolCallId: call.id,
          toolName: call.name,
          input: call.arguments,
          errorText: 'the arguments are not valid JSON',
        });
        continue;
      }
      out.push({ type: 'tool-input-available', toolCallId: call.id, toolName: call.name, input: parsed.value });
      let tool = batch.tools.get(call.name);
      if (!tool) {
        tool = { base: (counters.get(call.name) ?? -1) + 1, calls: [] };
        batch.tools.set(call.name, tool);
      }
      tool.calls.push(call.id);
      batch.open.add(call.id);
    }
  }

  function toolStep(item: HistoryItem, name: string, n: number, out: UIMessageChunk[]): void {
    counters.set(name, Math.max(counters.get(name) ?? -1, n));
    if (item.kind !== 'step-end' && item.kind !== 'step-fail') return;
    // The call id the step recorded (its label) when there is one; journals written before steps
    // carried labels fall back to the call order.
    const tool = batch.tools.get(name);
    const callId = item.label !== undefined && tool?.calls.includes(item.label) ? item.label : tool?.calls[n - tool.base];
    if (!callId || !batch.open.has(callId)) return;
    batch.open.delete(callId);
    if (item.kind === 'step-end') out.push({ type: 'tool-output-available', toolCallId: callId, output: item.value ?? null });
    else out.push({ type: 'tool-output-error', toolCallId: callId, errorText: item.error?.message ?? 'the tool failed' });
  }

  function approval(item: HistoryItem, out: UIMessageChunk[]): void {
    if (item.kind === 'approval-request') {
      if (!isToolApproval(item.value)) return;
      const { callId } = item.value;
      approvals.set(item.key, callId);
      out.push({ type: 'tool-approval-request', approvalId: item.key, toolCallId: callId });
      return;
    }
    const callId = approvals.get(item.key);
    if (callId === undefined || !item.approval) return;
    const { approved, reason } = item.approval;
    out.push({ type: 'tool-approval-response', approvalId: item.key, approved, ...(reason !== undefined ? { reason } : {}) });
    if (!approved) {
      for (const tool of batch.tools.values()) {
        const index = tool.calls.indexOf(callId);
        if (index >= 0) tool.calls.splice(index, 1);
      }
      batch.open.delete(callId);
      out.push({ type: 'tool-output-denied', toolCallId: callId });
    }
  }

  return {
    start: () => [{ type: 'start', messageId: runId, messageMetadata: { runId } satisfies RunMessageMetadata }],
    item(item) {
      const out: UIMessageChunk[] = [];
      if ((item.kind === 'step-end' || item.kind === 'step-fail') && MODEL_KEY.test(item.key)) {
        if (item.kind === 'step-end') modelTurn(item, out);
        else if (streamed.has(item.key)) {
          out.push({ type: 'text-end', id: `text:${item.key}` });
          streamed.delete(item.key);
        }
        return out;
      }
      const tool = TOOL_KEY.exec(item.key);
      if (tool && (item.kind === 'step-start' || item.kind === 'step-end' || item.kind === 'step-fail')) {
        toolStep(item, tool[1]!, Number(tool[2]), out);
        return out;
      }
      if (item.kind === 'approval-request' || item.kind === 'approval-decide') approval(item, out);
      return out;
    },
    abandon(stepId) {
      if (!streamed.delete(stepId)) return [];
      return [{ type: 'text-end', id: `text:${stepId}` }];
    },
    textDelta(stepId, delta) {
      if (recorded.has(stepId) || !MODEL_KEY.test(stepId) || delta === '') return [];
      const out: UIMessageChunk[] = [];
      const id = `text:${stepId}`;
      const before = streamed.get(stepId);
      if (before === undefined && liveStep !== stepId) {
        finishStep(out);
        closeBatch(out);
        startStep(out);
        liveStep = stepId;
      }
      if (before === undefined) {
        out.push({ type: 'text-start', id });
      }
      streamed.set(stepId, (before ?? '') + delta);
      out.push({ type: 'text-delta', id, delta });
      return out;
    },
    end(end) {
      const out: UIMessageChunk[] = [];
      for (const stepId of streamed.keys()) out.push({ type: 'text-end', id: `text:${stepId}` });
      streamed.clear();
      finishStep(out);
      if (end.status !== 'paused') closeBatch(out);
      if (end.status === 'failed') out.push({ type: 'error', errorText: end.error?.message ?? `run "${runId}" failed` });
      const metadata: RunMessageMetadata = {
        runId,
        status: end.status,
        ...(end.status === 'paused' ? { pauseReason: end.pauseReason ?? null } : {}),
      };
      out.push({
        type: 'finish',
        ...(finishReason !== undefined && end.status !== 'failed' ? { finishReason: finishReason as FinishReason } : {}),
        messageMetadata: metadata,
      });
      return out;
    },
  };
}
