/**
 * The raw journal of a run: every entry, densely numbered, as the store holds it — and a "fork"
 * button on each step, which starts a new run from a copy of the journal up to that entry.
 */
import type { HistoryItem } from '@cairn/core';
import { h } from '../dom.ts';
import { count, duration, oneLine } from '../format.ts';

/** The journal table; `onFork(atSeq)` when a fork button is pressed (omit to hide the buttons). */
export function renderJournal(history: readonly HistoryItem[], onFork?: (atSeq: number) => void): HTMLElement {
  const first = history[0]?.at ?? 0;
  return h(
    'table',
    { class: 'journal' },
    h(
      'thead',
      {},
      h('tr', {}, ...['seq', 'kind', 'key', 'at', 'took', 'tokens', 'value', ''].map((title) => h('th', {}, title))),
    ),
    h(
      'tbody',
      {},
      ...history.map((item) =>
        h(
          'tr',
          { 'data-seq': item.seq },
          h('td', {}, item.seq),
          h('td', { class: 'mono' }, item.kind),
          h('td', { class: 'mono' }, item.key),
          h('td', {}, `+${duration(item.at - first)}`),
          h('td', {}, item.durationMs !== undefined ? duration(item.durationMs) : ''),
          h('td', {}, item.usage ? count(item.usage.inputTokens + item.usage.outputTokens) : ''),
          h('td', { class: 'value mono' }, oneLine(JSON.stringify(item.value ?? item.approval ?? item.error ?? ''), 110)),
          h(
            'td',
            {},
            onFork && (item.kind === 'step-end' || item.kind === 'approval-decide')
              ? h(
                  'button',
                  {
                    type: 'button',
                    title: `New run with entries 1–${item.seq} of this journal`,
                    onclick: () => onFork(item.seq),
                  },
                  'fork here',
                )
              : '',
          ),
        ),
      ),
    ),
  );
}
