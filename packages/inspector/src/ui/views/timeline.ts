/**
 * The timeline: one row per journal entry that matters, with duration bars, attempts, tokens, who
 * drove it (lease owner segments: a crash and its takeover show as a new segment whose first rows
 * were replayed, not run again), `once` steps' intent and outcome with their idempotency keys, and a
 * fork button per entry.
 */
import type { HistoryItem } from '@cairn/core';
import { h, s } from '../dom.ts';
import { count, duration, oneLine, show, timestamp } from '../format.ts';
import { errorText } from './run-header.ts';

/** What each row can do. */
export interface TimelineActions {
  /** Fork at this seq, or undefined when forking is not possible here. */
  fork?: (atSeq: number) => void;
}

/** The `once` intents of a journal: step id → the seq of its intent and how it ended. */
export function onceSteps(
  history: readonly HistoryItem[],
): Map<number, { key: string; outcome: 'ended' | 'failed' | 'unknown'; endSeq?: number }> {
  const intents = new Map<number, { key: string; outcome: 'ended' | 'failed' | 'unknown'; endSeq?: number }>();
  const open = new Map<string, number>();
  for (const item of history) {
    if (item.kind === 'step-start') {
      intents.set(item.seq, { key: item.key, outcome: 'unknown' });
      open.set(item.key, item.seq);
    } else if ((item.kind === 'step-end' || item.kind === 'step-fail') && open.has(item.key)) {
      const seq = open.get(item.key)!;
      open.delete(item.key);
      intents.set(seq, { key: item.key, outcome: item.kind === 'step-end' ? 'ended' : 'failed', endSeq: item.seq });
    }
  }
  return intents;
}

function bar(ms: number | undefined, max: number): SVGSVGElement | string {
  if (ms === undefined) return '';
  const width = max > 0 ? Math.max(1, Math.round((160 * ms) / max)) : 1;
  return s(
    'svg',
    { class: 'bar', width: 160, height: 10, viewBox: '0 0 160 10', 'aria-hidden': 'true' },
    s('rect', { x: 0, y: 1, width, height: 8 }),
  );
}

function describe(item: HistoryItem): string {
  if (item.error) return errorText(item.error);
  if (item.kind === 'approval-decide' && item.approval)
    return `${item.approval.approved ? 'approved' : 'rejected'} by ${item.approval.by} at ${timestamp(item.approval.at)}${item.approval.reason ? ` — ${item.approval.reason}` : ''}`;
  if (item.kind === 'lease-take' && item.lease)
    return `${item.lease.owner} took the run${item.lease.previousOwner ? ` over from ${item.lease.previousOwner}` : ''}`;
  if (item.kind === 'run-retry' && item.retry)
    return `retried by ${item.retry.by}${item.retry.reason ? ` — ${item.retry.reason}` : ''} (attempt ${item.retry.attempt})`;
  if (item.kind === 'run-end')
    return `${item.status ?? 'ended'}${item.value !== undefined ? `: ${oneLine(show(item.value, 0), 300)}` : ''}`;
  if (item.kind === 'sleep-start') return item.wakeAt ? `until ${timestamp(item.wakeAt)}` : '';
  if (item.value === undefined) return '';
  return oneLine(show(item.value, 0), 300);
}

/** The timeline table. */
export function renderTimeline(runId: string, history: readonly HistoryItem[], actions: TimelineActions): HTMLElement {
  const max = Math.max(0, ...history.map((item) => item.durationMs ?? 0));
  const intents = onceSteps(history);
  const endOfIntent = new Map<number, number>();
  for (const [seq, intent] of intents) if (intent.endSeq !== undefined) endOfIntent.set(intent.endSeq, seq);
  let owner = 'first driver';
  let replayedBefore = 0;
  const rows: HTMLElement[] = [];
  for (const item of history) {
    if (item.kind === 'lease-take' && item.lease) {
      owner = item.lease.owner;
      replayedBefore = rows.filter((row) => row.dataset.kind === 'step-end').length;
    }
    const intentSeq = item.kind === 'step-start' ? item.seq : endOfIntent.get(item.seq);
    const intent = intentSeq !== undefined ? intents.get(intentSeq) : undefined;
    const once =
      intentSeq !== undefined && intent
        ? h(
            'div',
            { class: 'once', 'data-once': intent.outcome },
            `once · idempotency key ${runId}:${intentSeq} · outcome ${intent.outcome === 'unknown' ? 'unknown (in flight, no end journaled)' : intent.outcome}`,
          )
        : '';
    const row = h(
      'tr',
      { 'data-seq': item.seq, 'data-kind': item.kind, 'data-step': item.key, 'data-owner': owner, class: `kind-${item.kind}` },
      h('td', { class: 'num' }, item.seq),
      h('td', { class: 'mono' }, item.kind),
      h('td', { class: 'mono' }, item.key),
      h('td', {}, bar(item.durationMs, max), item.durationMs !== undefined ? ` ${duration(item.durationMs)}` : ''),
      h('td', { class: 'num' }, item.attempts !== undefined && item.attempts > 1 ? `${item.attempts} attempts` : ''),
      h('td', { class: 'num' }, item.usage ? `${count(item.usage.inputTokens)} in · ${count(item.usage.outputTokens)} out` : ''),
      h('td', { class: 'owner mono' }, owner),
      h('td', { class: 'what' }, h('div', { class: item.error ? 'error' : '' }, describe(item)), once),
      h(
        'td',
        {},
        actions.fork
          ? h(
              'button',
              { type: 'button', class: 'small', 'data-fork': item.seq, onclick: () => actions.fork?.(item.seq) },
              'Fork here',
            )
          : '',
      ),
    );
    rows.push(row);
    if (item.kind === 'lease-take' && item.lease?.previousOwner)
      rows.push(
        h(
          'tr',
          { class: 'takeover', 'data-takeover': item.lease.owner },
          h('td', {}),
          h(
            'td',
            { colspan: 8 },
            `⟳ ${item.lease.owner} took over from ${item.lease.previousOwner}: the ${replayedBefore} step${replayedBefore === 1 ? '' : 's'} above were replayed from the journal, not run again; the steps below ran in ${item.lease.owner}.`,
          ),
        ),
      );
  }
  return h(
    'table',
    { class: 'timeline', 'data-timeline': '' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['seq', 'kind', 'step', 'duration', 'attempts', 'tokens', 'driven by', 'what', ''].map((t) => h('th', {}, t)),
      ),
    ),
    h('tbody', {}, ...rows),
  );
}
