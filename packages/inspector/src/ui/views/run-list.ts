/**
 * The run list: counts by status, filters (status, workflow, metadata, age, id), one row per run,
 * and paging over the store's cursor.
 */
import type { RunInfo, RunStatus, StoreStats } from '@cairn/core';
import type { RunQuery } from '../../backend.ts';
import { h } from '../dom.ts';
import { age, count } from '../format.ts';
import { statusBadge } from './status-badge.ts';

const STATUSES: readonly RunStatus[] = ['running', 'paused', 'failed', 'completed', 'cancelled'];
const AGES: ReadonlyArray<[string, number | null]> = [
  ['any age', null],
  ['last hour', 3_600_000],
  ['last day', 86_400_000],
  ['last week', 7 * 86_400_000],
];

/** The filters as the form holds them. */
export interface ListFilters {
  status: RunStatus | '';
  workflow: string;
  /** `key=value, key=value`. */
  metadata: string;
  ageMs: number | null;
  runId: string;
}

/** The query of `filters` (metadata pairs parsed; a malformed pair is an error naming it). */
export function queryOf(filters: ListFilters, now: number, cursor?: string): RunQuery {
  const query: RunQuery = { limit: 50 };
  if (filters.status) query.status = [filters.status];
  if (filters.workflow.trim()) query.workflow = filters.workflow.trim();
  if (filters.runId.trim()) query.runId = filters.runId.trim();
  if (filters.ageMs !== null) query.createdAfter = now - filters.ageMs;
  if (cursor) query.cursor = cursor;
  const pairs = filters.metadata
    .split(',')
    .map((pair) => pair.trim())
    .filter(Boolean);
  if (pairs.length > 0) {
    query.metadata = {};
    for (const pair of pairs) {
      const at = pair.indexOf('=');
      if (at <= 0) throw new Error(`metadata filter "${pair}" is not key=value`);
      query.metadata[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
    }
  }
  return query;
}

/** The counts line, each status a button that filters by it. */
export function renderStats(stats: StoreStats, pick: (status: RunStatus | '') => void): HTMLElement {
  return h(
    'div',
    { class: 'stats', 'data-stats': '' },
    h('button', { type: 'button', class: 'chip', onclick: () => pick('') }, `${count(stats.total)} runs`),
    ...STATUSES.filter((status) => stats.byStatus[status] > 0).map((status) =>
      h(
        'button',
        { type: 'button', class: `chip status-${status}`, 'data-count': status, onclick: () => pick(status) },
        `${count(stats.byStatus[status])} ${status}`,
      ),
    ),
  );
}

/** The filter form; `apply` gets the filters on submit. */
export function renderFilters(filters: ListFilters, apply: (filters: ListFilters) => void): HTMLFormElement {
  const status = h('select', { name: 'status', 'aria-label': 'status' }, h('option', { value: '' }, 'any status'));
  for (const s of STATUSES) status.append(h('option', { value: s, selected: filters.status === s }, s));
  const ageSelect = h('select', { name: 'age', 'aria-label': 'age' });
  for (const [i, [label, ms]] of AGES.entries())
    ageSelect.append(h('option', { value: i, selected: filters.ageMs === ms }, label));
  const workflow = h('input', { name: 'workflow', placeholder: 'workflow', value: filters.workflow });
  const metadata = h('input', { name: 'metadata', placeholder: 'metadata key=value', value: filters.metadata });
  const runId = h('input', { name: 'runId', placeholder: 'run id', value: filters.runId, 'aria-label': 'search by run id' });
  const form = h(
    'form',
    { class: 'filters', 'data-filters': '' },
    runId,
    status,
    workflow,
    metadata,
    ageSelect,
    h('button', { type: 'submit' }, 'Filter'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    apply({
      status: status.value as RunStatus | '',
      workflow: workflow.value,
      metadata: metadata.value,
      ageMs: AGES[Number(ageSelect.value)]?.[1] ?? null,
      runId: runId.value,
    });
  });
  return form;
}

/** The table of runs; `open` shows one. */
export function renderRunTable(runs: readonly RunInfo[], now: number, open: (runId: string) => void): HTMLElement {
  if (runs.length === 0) return h('p', { class: 'empty', 'data-empty': '' }, 'No runs match.');
  return h(
    'table',
    { class: 'runs' },
    h(
      'thead',
      {},
      h('tr', {}, ...['status', 'run', 'workflow', 'at step', 'tokens', 'created', 'updated'].map((t) => h('th', {}, t))),
    ),
    h(
      'tbody',
      {},
      ...runs.map((run) =>
        h(
          'tr',
          { 'data-run-id': run.runId, 'data-status': run.status },
          h('td', {}, statusBadge(run, now)),
          h('td', {}, h('button', { type: 'button', class: 'link mono', onclick: () => open(run.runId) }, run.runId)),
          h('td', { class: 'mono' }, run.workflow),
          h('td', { class: 'mono' }, run.step.name ?? ''),
          h('td', { class: 'num' }, count(run.usage.totalTokens)),
          h('td', { title: new Date(run.createdAt).toISOString() }, age(run.createdAt, now)),
          h('td', {}, age(run.updatedAt, now)),
        ),
      ),
    ),
  );
}
