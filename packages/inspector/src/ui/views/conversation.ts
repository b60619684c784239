/** An agent run as a conversation: messages, tool calls with arguments and results, approvals. */
import type { Turn } from '../../agent-turns.ts';
import { h } from '../dom.ts';
import { count, show, timestamp } from '../format.ts';

function bubble(role: string, seq: number | null, ...children: Array<Node | string>): HTMLElement {
  return h(
    'li',
    { class: `turn turn-${role}`, 'data-turn': role, 'data-seq': seq ?? '' },
    h('div', { class: 'role' }, role),
    ...children,
  );
}

/** The conversation list. */
export function renderConversation(turns: readonly Turn[]): HTMLElement {
  return h('ol', { class: 'conversation', 'data-conversation': '' }, ...turns.map(renderTurn));
}

function renderTurn(turn: Turn): HTMLElement {
  switch (turn.kind) {
    case 'input':
      return bubble('user', null, h('pre', { class: 'content' }, show(turn.content)));
    case 'model':
      return bubble(
        'assistant',
        turn.seq,
        turn.content !== null ? h('pre', { class: 'content', 'data-model-text': '' }, turn.content) : '',
        ...turn.toolCalls.map((call) =>
          h(
            'div',
            { class: 'tool-call', 'data-tool-call': call.name },
            h('span', { class: 'mono' }, `→ ${call.name}`),
            h('pre', {}, call.arguments),
          ),
        ),
        turn.inputTokens !== undefined
          ? h('div', { class: 'hint' }, `${count(turn.inputTokens)} in · ${count(turn.outputTokens ?? 0)} out`)
          : '',
      );
    case 'tool':
      return bubble(
        `tool ${turn.tool}`,
        turn.seq,
        h(
          'pre',
          { class: turn.error ? 'content error' : 'content', 'data-tool-result': turn.tool },
          turn.error ?? show(turn.result),
        ),
      );
    case 'approval':
      return bubble('approval', turn.seq, h('div', {}, `${turn.approvalId} asked for`), h('pre', {}, show(turn.details)));
    case 'decision':
      return bubble(
        turn.approved ? 'approved' : 'rejected',
        turn.seq,
        h('div', { 'data-decision': turn.approved ? 'approved' : 'rejected' }, `by ${turn.by} at ${timestamp(turn.at)}`),
        turn.reason ? h('div', {}, `why: ${turn.reason}`) : '',
      );
    case 'output':
      return bubble('answer', null, h('pre', { class: 'content', 'data-final-answer': '' }, show(turn.content)));
  }
}
