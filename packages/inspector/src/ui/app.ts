/**
 * The inspector page: the run list and a run's page, over any `InspectorBackend`. Routes live in the
 * URL fragment (`#/` and `#/runs/<id>`); the open view polls while it is shown, so a run driven in
 * another process updates live, and a view is redrawn only when what it shows changed (a form being
 * filled in is never wiped by a poll that brought nothing new).
 */
import type { HistoryItem, RunInfo } from '@cairn/core';
import { conversationOf, isAgentRun } from '../agent-turns.ts';
import type { InspectorBackend } from '../backend.ts';
import { h } from './dom.ts';
import { renderCharts } from './views/charts.ts';
import { renderConversation } from './views/conversation.ts';
import { renderRunActions } from './views/run-actions.ts';
import { renderRunHeader } from './views/run-header.ts';
import { type ListFilters, queryOf, renderFilters, renderRunTable, renderStats } from './views/run-list.ts';
import { renderTimeline } from './views/timeline.ts';

/** Options of `createInspectorApp`. */
export interface InspectorAppOptions {
  /** How often the open view polls (default 1000 ms). */
  pollMs?: number;
}

/** A mounted inspector. */
export interface InspectorApp {
  /** Show the list (`null`) or a run. */
  show(runId: string | null): void;
  /** Stop polling and empty the element. */
  destroy(): void;
}

function routeOf(hash: string): string | null {
  const match = /^#\/runs\/([^/?#]+)$/.exec(hash);
  if (!match?.[1]) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}

function signature(info: RunInfo, history: readonly HistoryItem[]): string {
  return JSON.stringify([info.status, info.lastSeq, info.updatedAt, info.lease, info.pendingApprovals?.length, history.length]);
}

/** Mount the inspector over `backend` into `root`. */
export function createInspectorApp(
  root: HTMLElement,
  backend: InspectorBackend,
  options: InspectorAppOptions = {},
): InspectorApp {
  const pollMs = options.pollMs ?? 1000;
  let filters: ListFilters = { status: '', workflow: '', metadata: '', ageMs: null, runId: '' };
  let cursors: Array<string | undefined> = [undefined];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let generation = 0;
  const header = h(
    'header',
    { class: 'top' },
    h('button', { type: 'button', class: 'link brand', onclick: () => navigate(null) }, 'Cairn Inspector'),
    h('span', { class: 'hint', 'data-backend': backend.name }, backend.name),
  );
  const main = h('main', {});
  const failure = h('p', { class: 'error', 'data-load-error': '', hidden: true });
  root.replaceChildren(header, failure, main);

  function navigate(runId: string | null): void {
    const hash = runId === null ? '#/' : `#/runs/${encodeURIComponent(runId)}`;
    if (root.ownerDocument.defaultView?.location.hash !== hash) root.ownerDocument.defaultView?.history.pushState(null, '', hash);
    show(runId);
  }

  function schedule(generationAtStart: number, tick: () => Promise<void>): void {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (generationAtStart !== generation) return;
      tick().finally(() => {
        if (generationAtStart === generation) schedule(generationAtStart, tick);
      });
    }, pollMs);
  }

  async function guarded(work: () => Promise<void>): Promise<void> {
    try {
      await work();
      failure.hidden = true;
    } catch (error) {
      failure.hidden = false;
      failure.textContent = error instanceof Error ? error.message : String(error);
    }
  }

  function showList(): void {
    const mine = ++generation;
    const stats = h('div', {});
    const table = h('div', {});
    const pager = h('div', { class: 'pager' });
    let last = '';
    const apply = (next: ListFilters) => {
      filters = next;
      cursors = [undefined];
      void refresh(true);
    };
    const form = renderFilters(filters, apply);
    main.replaceChildren(h('h2', {}, 'Runs'), stats, form, table, pager);
    const refresh = async (force = false) =>
      guarded(async () => {
        const now = Date.now();
        const cursor = cursors.at(-1);
        const [counts, page] = await Promise.all([backend.stats(), backend.list(queryOf(filters, now, cursor))]);
        if (mine !== generation) return;
        const seen = JSON.stringify([counts, page.runs.map((r) => [r.runId, r.status, r.updatedAt, r.lease]), page.cursor]);
        if (seen === last && !force) return;
        last = seen;
        stats.replaceChildren(renderStats(counts, (status) => apply({ ...filters, status })));
        table.replaceChildren(renderRunTable(page.runs, now, (runId) => navigate(runId)));
        pager.replaceChildren(
          cursors.length > 1
            ? h(
                'button',
                {
                  type: 'button',
                  onclick: () => {
                    cursors.pop();
                    void refresh(true);
                  },
                },
                '← Newer',
              )
            : '',
          page.cursor
            ? h(
                'button',
                {
                  type: 'button',
                  'data-next-page': '',
                  onclick: () => {
                    cursors.push(page.cursor);
                    void refresh(true);
                  },
                },
                'Older →',
              )
            : '',
        );
      });
    void refresh(true).then(() => schedule(mine, () => refresh()));
  }

  function showRun(runId: string): void {
    const mine = ++generation;
    const head = h('section', { class: 'run-header' });
    const actions = h('div', {});
    const conversation = h('section', {});
    const charts = h('section', { class: 'charts' });
    const timeline = h('section', {});
    main.replaceChildren(head, actions, conversation, charts, timeline);
    let last = '';
    let lastActions = '';
    const refresh = async () =>
      guarded(async () => {
        const { info, history } = await backend.run(runId);
        if (mine !== generation) return;
        const now = Date.now();
        const seen = signature(info, history);
        if (seen === last) return;
        last = seen;
        head.replaceChildren(...renderRunHeader(info, now, (id) => navigate(id)));
        // The actions panel holds inputs: redraw it only when what it offers changed.
        const offered = JSON.stringify([info.status, (info.pendingApprovals ?? []).map((a) => a.approvalId)]);
        if (offered !== lastActions) {
          lastActions = offered;
          actions.replaceChildren(
            renderRunActions(info, {
              canDrive: backend.canDrive,
              approve: (approvalId, approved, by, reason) =>
                backend.approve(runId, approvalId, { approved, by, ...(reason ? { reason } : {}) }).then(refresh),
              retry: (by, reason) => backend.retry(runId, { by, ...(reason ? { reason } : {}) }).then(refresh),
              cancel: (reason) => backend.cancel(runId, reason || undefined).then(refresh),
              signal: (name, payload) => backend.signal(runId, name, payload).then(refresh),
              remove: async (force) => {
                await backend.delete(runId, force);
                navigate(null);
              },
            }),
          );
        }
        conversation.replaceChildren(
          ...(isAgentRun(history) ? [h('h3', {}, 'Conversation'), renderConversation(conversationOf(info, history))] : []),
        );
        charts.replaceChildren(...renderCharts(history));
        const fork = backend.canDrive
          ? (atSeq: number) => {
              void guarded(async () => navigate(await backend.fork(runId, atSeq)));
            }
          : undefined;
        timeline.replaceChildren(h('h3', {}, 'Timeline'), renderTimeline(runId, history, fork ? { fork } : {}));
      });
    void refresh().then(() => schedule(mine, refresh));
  }

  function show(runId: string | null): void {
    shown = runId;
    clearTimeout(timer);
    failure.hidden = true;
    if (runId === null) showList();
    else showRun(runId);
  }

  let shown: string | null | undefined;
  const onHash = () => {
    const route = routeOf(root.ownerDocument.defaultView?.location.hash ?? '');
    // A fragment change fires both popstate and hashchange: show each route once.
    if (route !== shown) show(route);
  };
  root.ownerDocument.defaultView?.addEventListener('popstate', onHash);
  root.ownerDocument.defaultView?.addEventListener('hashchange', onHash);
  onHash();
  return {
    show: navigate,
    destroy() {
      generation++;
      clearTimeout(timer);
      root.ownerDocument.defaultView?.removeEventListener('popstate', onHash);
      root.ownerDocument.defaultView?.removeEventListener('hashchange', onHash);
      root.replaceChildren();
    },
  };
}
