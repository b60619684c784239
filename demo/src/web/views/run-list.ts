/** The run list: one row per run (status, where it is, tokens), newest first. */
import type { RunInfo, StoreStats } from '@cairn/core';
import { h } from '../dom.ts';
import { clock, count, shortId } from '../format.ts';

/** What the list shows. */
export interface RunListView {
  runs: RunInfo[];
  stats: StoreStats;
  selected: string | null;
  /** Runs this tab drives. */
  driving: ReadonlySet<string>;
}

/** `3 runs · 1 running · 2 completed`. */
export function statsLine(stats: StoreStats): string {
  const parts = Object.entries(stats.byStatus)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`);
  return `${stats.total} run${stats.total === 1 ? '' : 's'} in IndexedDB${parts.length ? ` · ${parts.join(' · ')}` : ''}`;
}

/** Where a run is, in words: `at model#3`, `waiting for approval of issue_refund`, `done`. */
function where(run: RunInfo): string {
  if (run.status === 'completed') return 'done';
  const name = run.step.name;
  if (!name) return 'starting';
  // Internal wait steps are named `$approval:<what>`.
  if (name.startsWith('$approval:'))
    return `waiting for approval of ${name
      .slice('$approval:'.length)
      .replace(/^tool:/, '')
      .replace(/#\d+$/, '')}`;
  return `at ${name}`;
}

/** The list items. */
export function renderRunList(view: RunListView, onSelect: (runId: string) => void): HTMLElement[] {
  if (view.runs.length === 0) return [h('li', { class: 'empty' }, 'No runs here yet.')];
  return view.runs.map((run) =>
    h(
      'li',
      { class: run.runId === view.selected ? 'selected' : null, 'data-run-id': run.runId, 'data-status': run.status },
      h(
        'button',
        { type: 'button', onclick: () => onSelect(run.runId), title: run.runId },
        h(
          'span',
          { class: `badge status-${run.status}` },
          run.status === 'paused' && run.pauseReason ? `paused · ${run.pauseReason}` : run.status,
        ),
        h('span', { class: 'mono' }, shortId(run.runId)),
        h('span', { class: 'hint' }, clock(run.createdAt)),
        h(
          'span',
          { class: 'meta' },
          `${run.workflow === 'support' ? 'scripted' : 'OpenAI'} · ${where(run)} · ${count(run.usage.totalTokens)} tokens` +
            (view.driving.has(run.runId) ? ' · driven by this tab' : ''),
        ),
      ),
    ),
  );
}
