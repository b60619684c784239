/**
 * The timeline of a run: one row per journaled step (from `runtime.history`), the approvals, and the
 * steps running right now (from live events, this tab's or another's), with durations and tokens.
 */
import type { HistoryItem, ToolApprovalDetails } from '@cairn/core';
import { h } from '../dom.ts';
import { count, duration, oneLine } from '../format.ts';

/** A step running right now, as the events tell it. */
export interface LiveStep {
  stepId: string;
  startedAt: number;
  /** Text streamed so far (model steps). */
  text: string;
  /** Whether the tab driving it is this one. */
  local: boolean;
}

/** What a model step recorded (the agent's journal format, ADR 0060). */
interface ModelTurnValue {
  m?: { content: string | null; toolCalls?: Array<{ name: string; arguments: string }> };
}

/** A short description of what a step produced. */
export function describeStep(item: HistoryItem): string {
  if (item.error) return `failed: ${item.error.message}`;
  if (item.key.startsWith('model#')) {
    const message = (item.value as ModelTurnValue | undefined)?.m;
    const calls = (message?.toolCalls ?? []).map((call) => `→ ${call.name}(${oneLine(call.arguments, 80)})`);
    return [message?.content ? `“${oneLine(message.content, 220)}”` : '', ...calls].filter(Boolean).join(' ');
  }
  return oneLine(JSON.stringify(item.value ?? null), 200);
}

function approvalText(item: HistoryItem): string {
  const details = item.value as Partial<ToolApprovalDetails> | undefined;
  if (details?.kind === 'tool-call')
    return `waiting for a human: ${details.tool}(${oneLine(JSON.stringify(details.arguments), 120)})`;
  return `waiting for a human (${item.key})`;
}

/** The rows of the timeline. `replayed`: step ids this tab's latest resume returned from the journal. */
export function renderStepRows(
  history: readonly HistoryItem[],
  live: readonly LiveStep[],
  replayed: ReadonlySet<string>,
): HTMLElement[] {
  const rows: HTMLElement[] = [];
  let n = 0;
  for (const item of history) {
    if (item.kind === 'step-end' || item.kind === 'step-fail') {
      n++;
      const tokens = item.usage ? `${count(item.usage.inputTokens)} in · ${count(item.usage.outputTokens)} out` : '';
      const outcome = item.kind === 'step-fail' ? 'failed' : replayed.has(item.key) ? 'replayed' : 'executed';
      rows.push(
        h(
          'li',
          { 'data-step': item.key, 'data-outcome': outcome },
          h('span', { class: 'n' }, n),
          h('span', { class: 'mono' }, item.key),
          h('span', {}, h('span', { class: `badge ${outcome === 'failed' ? 'status-failed' : outcome}` }, outcome)),
          h('span', {}, item.durationMs !== undefined ? duration(item.durationMs) : ''),
          h('span', { class: 'hint' }, tokens),
          h('span', { class: 'what' }, describeStep(item)),
        ),
      );
    } else if (item.kind === 'approval-request') {
      rows.push(
        h(
          'li',
          { class: 'pause' },
          h('span', { class: 'n' }, '‖'),
          h('span', { class: 'mono' }, 'approval'),
          h('span', {}),
          h('span', {}),
          h('span', {}),
          h('span', { class: 'what' }, approvalText(item)),
        ),
      );
    } else if (item.kind === 'approval-decide' && item.approval) {
      const { approved, by, reason } = item.approval;
      rows.push(
        h(
          'li',
          {},
          h('span', { class: 'n' }, approved ? '✔' : '✘'),
          h('span', { class: 'mono' }, 'decision'),
          h('span', {}),
          h('span', {}),
          h('span', {}),
          h('span', { class: 'what' }, `${approved ? 'approved' : 'rejected'} by ${by}${reason ? ` (“${reason}”)` : ''}`),
        ),
      );
    } else if (item.kind === 'run-end') {
      rows.push(
        h(
          'li',
          {},
          h('span', { class: 'n' }, '■'),
          h('span', { class: 'mono' }, 'run-end'),
          h('span', {}),
          h('span', {}),
          h('span', {}),
          h('span', { class: 'what' }, item.status ?? 'ended'),
        ),
      );
    }
  }
  for (const step of live) {
    n++;
    rows.push(
      h(
        'li',
        { class: 'live', 'data-step': step.stepId, 'data-outcome': 'running' },
        h('span', { class: 'n' }, n),
        h('span', { class: 'mono' }, step.stepId),
        h('span', {}, h('span', { class: 'badge live' }, h('span', { class: 'spinner' }), ' running')),
        h('span', { 'data-started-at': step.startedAt }, duration(Date.now() - step.startedAt)),
        h('span', { class: 'hint' }, step.local ? 'this tab' : 'another tab'),
        h('span', { class: 'what' }, step.text ? `“${oneLine(step.text, 220)}”` : ''),
      ),
    );
  }
  return rows;
}
