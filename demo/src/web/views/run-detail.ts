/**
 * The detail of one run: status and usage, who drives it, what this tab's resumes measured, the
 * timeline, the final answer, the side effects, the raw journal, and the run's actions.
 */
import type { HistoryItem, RunInfo } from '@cairn/core';
import type { SideEffect } from '../../shared/side-effects.ts';
import { h } from '../dom.ts';
import { clock, count, duration } from '../format.ts';
import type { ResumeNotice } from '../resume-notices.ts';
import { renderJournal } from './journal-table.ts';
import { renderLedger } from './ledger-panel.ts';
import { type LiveStep, renderStepRows } from './step-rows.ts';

/** Everything the detail shows. */
export interface RunDetailView {
  info: RunInfo;
  history: HistoryItem[];
  live: LiveStep[];
  replayed: ReadonlySet<string>;
  notices: ResumeNotice[];
  effects: SideEffect[];
  drivenHere: boolean;
  /** This tab has the agent for the run's workflow (OpenAI runs need the key typed in again). */
  canDrive: boolean;
  /** Steps of a complete run, when known (scripted model). */
  totalSteps: number | null;
}

/** What the buttons do. */
export interface RunDetailActions {
  fork(atSeq: number): void;
  cancel(): void;
  remove(): void;
  review(): void;
}

const REASONS: Record<ResumeNotice['reason'], string> = {
  reload: 'Resumed after reload',
  approval: 'Resumed after the approval',
  takeover: 'Taken over from a tab that went away',
  resume: 'Resumed',
};

/** `Resumed after reload: 3 steps replayed, 0 tokens re-spent (412 tokens not paid again).` */
export function noticeText(notice: ResumeNotice): string {
  const steps = `${notice.replayedSteps} step${notice.replayedSteps === 1 ? '' : 's'} replayed`;
  const inFlight = notice.inFlight.length
    ? ` ${notice.inFlight.join(', ')} ${notice.inFlight.length === 1 ? 'was' : 'were'} running when the tab went away: no result was journaled, so it ran again.`
    : '';
  return `${REASONS[notice.reason]}: ${steps}, ${count(notice.reSpentTokens)} tokens re-spent (${count(notice.savedTokens)} tokens not paid again).${inFlight}`;
}

function driverLine(view: RunDetailView): string {
  const { info } = view;
  if (info.status !== 'running') return '';
  if (view.drivenHere)
    return 'This tab drives the run (it holds the run’s Web Lock). Reload it: the run resumes from the journal.';
  if (!view.canDrive) return 'This run uses OpenAI: type the key again (it was kept in memory only) and this tab resumes it.';
  return 'Another tab drives this run; this tab follows its progress over BroadcastChannel and takes over if that tab goes away.';
}

/** The detail's children. */
export function renderRunDetail(view: RunDetailView, actions: RunDetailActions): Node[] {
  const { info, history } = view;
  const steps = history.filter((item) => item.kind === 'step-end' || item.kind === 'step-fail').length;
  const latest = view.notices.at(-1);
  const pending = info.pendingApprovals ?? [];
  const nodes: Node[] = [
    h(
      'header',
      {},
      h('h2', { class: 'mono', title: info.runId }, info.runId),
      h(
        'span',
        { class: `badge status-${info.status}`, 'data-run-status': info.status },
        info.status === 'paused' && info.pauseReason ? `paused · ${info.pauseReason}` : info.status,
      ),
    ),
    h(
      'div',
      { class: 'facts' },
      h(
        'span',
        {},
        'steps ',
        h('strong', { 'data-step-count': steps }, view.totalSteps ? `${steps} / ${view.totalSteps}` : steps),
      ),
      h('span', {}, 'tokens ', h('strong', {}, count(info.usage.totalTokens))),
      h('span', {}, 'model calls ', h('strong', {}, info.usage.modelCalls)),
      h(
        'span',
        {},
        'saved by replay ',
        h('strong', { 'data-saved-tokens': info.usage.savedTokens }, `${count(info.usage.savedTokens)} tokens`),
      ),
      h('span', {}, 'started ', h('strong', {}, clock(info.createdAt))),
      info.status === 'completed' || info.status === 'failed'
        ? h('span', {}, 'took ', h('strong', {}, duration(info.updatedAt - info.createdAt)))
        : '',
      info.forkedFrom
        ? h('span', {}, 'forked from ', h('strong', { class: 'mono' }, `${info.forkedFrom.runId} @ ${info.forkedFrom.atSeq}`))
        : '',
    ),
    view.totalSteps
      ? h('div', { class: 'progress' }, h('div', { style: `width: ${Math.min(100, (100 * steps) / view.totalSteps)}%` }))
      : '',
    h('p', { class: 'driver' }, driverLine(view)),
  ].filter((node): node is HTMLElement => node !== '');
  if (latest) nodes.push(h('p', { class: 'notice', 'data-notice': latest.reason }, `↻ ${noticeText(latest)}`));
  for (const older of view.notices.slice(0, -1).reverse()) nodes.push(h('p', { class: 'notice older' }, noticeText(older)));
  if (pending.length > 0)
    nodes.push(
      h(
        'p',
        { class: 'notice' },
        '‖ The agent waits for your decision on a refund. ',
        h('button', { type: 'button', class: 'primary', onclick: actions.review }, 'Review the refund'),
      ),
    );
  if (info.status === 'completed')
    nodes.push(
      h('div', { class: 'answer', 'data-final-answer': '' }, h('strong', {}, 'Final answer '), String(info.output ?? '')),
    );
  if (info.status === 'failed' && info.error) nodes.push(h('p', { class: 'error' }, `${info.error.name}: ${info.error.message}`));
  nodes.push(h('h3', {}, 'Timeline'), h('ol', { class: 'steps' }, ...renderStepRows(history, view.live, view.replayed)));
  nodes.push(h('h3', {}, 'Outside world'), renderLedger(view.effects));
  nodes.push(
    h(
      'details',
      {},
      h('summary', {}, `Journal (${history.length} entries) · fork from any step`),
      h(
        'p',
        { class: 'hint' },
        'A fork is a new run with a copy of the journal up to that entry; the steps after it run again, with new idempotency keys.',
      ),
      renderJournal(history, view.canDrive ? actions.fork : undefined),
    ),
  );
  const live = info.status === 'running' || info.status === 'paused';
  nodes.push(
    h(
      'div',
      { class: 'actions' },
      live ? h('button', { type: 'button', class: 'danger', onclick: actions.cancel }, 'Cancel run') : '',
      h(
        'button',
        { type: 'button', class: 'danger', onclick: actions.remove, disabled: info.status === 'running' },
        'Delete run',
      ),
    ),
  );
  return nodes;
}
