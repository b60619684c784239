/**
 * The head of a run page: status and pause reason, who drives it (lease owner and expiry), usage and
 * tokens saved by replay, attempts, the fork it came from, metadata, and the error in full.
 */
import type { RunInfo, SerializedError } from '@cairn/core';
import { h } from '../dom.ts';
import { count, timestamp } from '../format.ts';
import { statusBadge } from './status-badge.ts';

function fact(label: string, value: string | number, attribute?: string): HTMLElement {
  return h('div', { class: 'fact' }, h('dt', {}, label), h('dd', attribute ? { [attribute]: String(value) } : {}, value));
}

function leaseText(run: RunInfo, now: number): string {
  if (!run.lease) return 'none';
  const when = run.lease.expiresAt < now ? 'expired' : 'expires';
  return `${run.lease.owner} (${when} ${timestamp(run.lease.expiresAt)})`;
}

/** The whole error chain, each cause on its own lines. */
export function errorText(error: SerializedError): string {
  const lines: string[] = [];
  let current: SerializedError | undefined = error;
  for (let depth = 0; current && depth < 8; depth++, current = current.cause) {
    lines.push(`${depth ? 'caused by ' : ''}${current.name}${current.code ? ` [${current.code}]` : ''}: ${current.message}`);
  }
  return lines.join('\n');
}

/** The header's nodes. */
export function renderRunHeader(run: RunInfo, now: number, openRun: (runId: string) => void): Node[] {
  const nodes: Node[] = [
    h('div', { class: 'title' }, h('h2', { class: 'mono', 'data-run-title': '' }, run.runId), statusBadge(run, now)),
    h(
      'dl',
      { class: 'facts' },
      fact('workflow', run.workflow),
      fact('at step', run.step.name ?? '—'),
      fact('pause reason', run.pauseReason ?? '—', 'data-pause-reason'),
      fact('lease', leaseText(run, now), 'data-lease'),
      fact('attempt', run.attempt),
      fact(
        'tokens',
        `${count(run.usage.totalTokens)} (${count(run.usage.inputTokens)} in · ${count(run.usage.outputTokens)} out)`,
      ),
      fact('model calls', run.usage.modelCalls),
      fact('saved by replay', `${count(run.usage.savedTokens)} tokens`, 'data-saved-tokens'),
      fact('created', timestamp(run.createdAt)),
      fact('updated', timestamp(run.updatedAt)),
      fact('journal', `${run.lastSeq} entries`),
      ...(run.wakeAt ? [fact('wakes', timestamp(run.wakeAt))] : []),
      ...Object.entries(run.metadata ?? {}).map(([key, value]) => fact(`meta ${key}`, value)),
    ),
  ];
  if (run.forkedFrom) {
    const source = run.forkedFrom.runId;
    nodes.push(
      h(
        'p',
        { class: 'hint', 'data-forked-from': source },
        'forked from ',
        h('button', { type: 'button', class: 'link mono', onclick: () => openRun(source) }, source),
        ` at seq ${run.forkedFrom.atSeq}`,
      ),
    );
  }
  if (run.error) nodes.push(h('pre', { class: 'error', 'data-run-error': '' }, errorText(run.error)));
  return nodes;
}
