/**
 * The page's controller: which run is selected and how the list is filtered, a throttled refresh
 * from the store (on every event of any tab, and once a second for what no event announces), and
 * the actions behind the buttons. Views are pure functions; this file owns the state.
 */
import { CairnError, RUN_STATUSES, type RunInfo, type RunStatus } from '@cairn/core';
import { SCRIPTED_STEP_COUNT } from '../shared/support-script.ts';
import { clearLedger, readLedger } from './browser-ledger.ts';
import { byId, h } from './dom.ts';
import type { LiveSteps } from './live-steps.ts';
import { noticesOf, type ResumeReason, type ResumeTracker } from './resume-notices.ts';
import { type DemoSession, SCRIPTED_WORKFLOW } from './session.ts';
import { createStandby } from './standby.ts';
import { type ApprovalQuestion, createApprovalDialog } from './views/approval-dialog.ts';
import { renderRunDetail } from './views/run-detail.ts';
import { renderRunList, statsLine } from './views/run-list.ts';

/** The controller. */
export interface App {
  /** Show a run (and remember it in the URL, so a reload shows it again). */
  select(runId: string | null): void;
  refresh(): void;
  /** Resume `runId` in this tab, measuring the resume for its notice. */
  resume(runId: string, reason: ResumeReason, inFlight?: string[]): Promise<boolean>;
  /** Start standing by for runs other tabs drive (after the page resumed what it left itself). */
  standBy(): void;
  readonly selected: string | null;
}

/** What the controller needs. */
export interface AppOptions {
  session: DemoSession;
  tracker: ResumeTracker;
  live: LiveSteps;
}

/** Create the controller and wire the list's controls. */
export function createApp({ session, tracker, live }: AppOptions): App {
  const runtime = session.runtime;
  let selected: string | null = decodeURIComponent(location.hash.slice(1)) || null;
  let filter: RunStatus | '' = '';
  let lastSignature = '';
  let note = '';
  let standingBy = false;
  const dismissed = new Set<string>();
  // One resume per run at a time in this tab (a standby wake-up may race the page's own resume).
  const resuming = new Set<string>();
  const standby = createStandby(session.locks, async (runId) => {
    const info = await runtime.get(runId).catch(() => null);
    if (info?.status === 'running') await app.resume(runId, 'takeover');
    schedule();
  });
  const dialog = createApprovalDialog((question, decision, reason) => void decide(question, decision, reason));

  async function journaledSteps(runId: string): Promise<Set<string>> {
    const history = await runtime.history(runId);
    return new Set(history.filter((item) => item.kind === 'step-end' || item.kind === 'step-fail').map((item) => item.key));
  }

  async function decide(question: ApprovalQuestion, decision: 'approve' | 'reject' | 'dismiss', reason: string): Promise<void> {
    if (decision === 'dismiss') {
      dismissed.add(question.approval.approvalId);
      return;
    }
    const info = await runtime.get(question.runId);
    const agent = session.agentFor(info.workflow);
    // The tab that decides resumes the run (when it can drive its workflow): measure that resume.
    if (agent) tracker.expect(question.runId, 'approval', await journaledSteps(question.runId));
    await (agent?.runtime ?? runtime)
      .approve(question.runId, question.approval.approvalId, {
        approved: decision === 'approve',
        by: 'you (demo page)',
        ...(reason ? { reason } : {}),
      })
      .catch((error: unknown) => {
        tracker.forget(question.runId);
        // Another tab decided first: its decision stands, and the journal says so.
        if (!CairnError.is(error, 'approval-already-decided'))
          note = `Could not record the decision: ${(error as Error).message}`;
      });
    schedule();
  }

  function renderDetail(info: RunInfo | null, history: Awaited<ReturnType<typeof runtime.history>>): void {
    const detail = byId('detail');
    if (!info) {
      lastSignature = '';
      detail.replaceChildren(
        h('p', { class: 'empty' }, selected ? 'This run no longer exists.' : 'Start a run, or pick one from the list.'),
      );
      return;
    }
    const view = {
      info,
      history,
      live: live.inFlight(info.runId),
      replayed: live.replayed(info.runId),
      notices: noticesOf(info.runId),
      effects: readLedger().filter((effect) => effect.runId === info.runId),
      drivenHere: session.driving.has(info.runId),
      canDrive: session.agentFor(info.workflow) !== null,
      totalSteps: info.workflow === SCRIPTED_WORKFLOW ? SCRIPTED_STEP_COUNT : null,
    };
    const signature = JSON.stringify([
      info.status,
      info.lastSeq,
      info.updatedAt,
      view.live.map((step) => [step.stepId, step.text.length]),
      view.notices,
      view.effects.length,
      view.drivenHere,
      view.canDrive,
      [...view.replayed],
    ]);
    if (signature === lastSignature) return;
    lastSignature = signature;
    const journalOpen = detail.querySelector('details')?.open ?? false;
    detail.replaceChildren(
      ...renderRunDetail(view, {
        fork: (atSeq) => void fork(info, atSeq),
        cancel: () =>
          void act(() =>
            (session.agentFor(info.workflow)?.runtime ?? runtime).cancel(info.runId, { reason: 'cancelled in the demo page' }),
          ),
        remove: () =>
          void act(async () => {
            if (await runtime.delete(info.runId)) select(null);
          }),
        review: () => {
          dismissed.clear();
          lastSignature = '';
          schedule();
        },
      }),
    );
    const journal = detail.querySelector('details');
    if (journal) journal.open = journalOpen;
    const pending = info.status === 'paused' ? info.pendingApprovals?.[0] : undefined;
    if (pending && !dismissed.has(pending.approvalId)) dialog.ask({ runId: info.runId, approval: pending });
    else if (!pending && dialog.asking) dialog.close();
  }

  async function fork(info: RunInfo, atSeq: number): Promise<void> {
    const agent = session.agentFor(info.workflow);
    if (!agent) return;
    await act(async () => select((await agent.runtime.fork(info.runId, { atSeq })).runId));
  }

  async function act(action: () => Promise<unknown>): Promise<void> {
    try {
      note = '';
      await action();
    } catch (error) {
      note = (error as Error).message;
    }
    schedule();
  }

  async function load(): Promise<void> {
    const [page, stats, running] = await Promise.all([
      runtime.list({ ...(filter ? { status: [filter] } : {}), limit: 50 }),
      runtime.stats(),
      runtime.list({ status: ['running'], limit: 100 }),
    ]);
    // Every running run another tab drives: wait for its lock, to take over if that tab goes away.
    const followed = new Set<string>();
    for (const run of standingBy ? running.runs : []) {
      if (session.driving.has(run.runId) || !session.agentFor(run.workflow)) continue;
      followed.add(run.runId);
      standby.watch(run.runId);
    }
    standby.retain(followed);
    const info = selected ? await runtime.get(selected).catch(() => null) : null;
    const history = info ? await runtime.history(info.runId).catch(() => []) : [];
    byId('run-list').replaceChildren(...renderRunList({ runs: page.runs, stats, selected, driving: session.driving }, select));
    byId('stats').textContent = note || statsLine(stats);
    byId('tab-role').textContent =
      `This tab drives ${session.driving.size} run${session.driving.size === 1 ? '' : 's'} and stands by for ${standby.watching.size}.` +
      (session.openAIModel ? ` OpenAI key in memory (${session.openAIModel}).` : '');
    renderDetail(info, history);
  }

  let loading = false;
  let again = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  function schedule(): void {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      if (loading) {
        again = true;
        return;
      }
      loading = true;
      void load()
        .catch((error: unknown) => {
          byId('stats').textContent = `Could not read the store: ${(error as Error).message}`;
        })
        .finally(() => {
          loading = false;
          if (again) {
            again = false;
            schedule();
          }
        });
    }, 120);
  }

  function select(runId: string | null): void {
    selected = runId;
    lastSignature = '';
    window.history.replaceState(null, '', runId ? `#${encodeURIComponent(runId)}` : location.pathname + location.search);
    schedule();
  }

  byId<HTMLSelectElement>('status-filter').addEventListener('change', (event) => {
    filter = (event.target as HTMLSelectElement).value as RunStatus | '';
    schedule();
  });
  byId('cleanup').addEventListener(
    'click',
    () =>
      void act(async () => {
        const deleted = await runtime.cleanup({ olderThanMs: 0 });
        if (selected && !(await runtime.get(selected).catch(() => null))) select(null);
        note = `Cleaned up ${deleted} finished run${deleted === 1 ? '' : 's'} (completed, failed, cancelled).`;
      }),
  );
  byId('reset').addEventListener(
    'click',
    () =>
      void act(async () => {
        if (!confirm('Delete every run of this demo and its outside-world ledger?')) return;
        for (const run of (await runtime.list({ status: ['running', 'paused'], limit: 500 })).runs)
          await runtime.cancel(run.runId).catch(() => undefined);
        await session.store.deleteRuns({ status: [...RUN_STATUSES] });
        clearLedger();
        sessionStorage.clear();
        select(null);
      }),
  );
  session.subscribe(({ event, local }) => {
    live.observe(event, local);
    if (local) tracker.observe(event);
    schedule();
  });
  // Running steps tick without a re-render.
  setInterval(() => {
    for (const cell of document.querySelectorAll<HTMLElement>('[data-started-at]')) {
      const ms = Date.now() - Number(cell.dataset.startedAt);
      cell.textContent = ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
    }
  }, 200);
  // What no event announces: runs changed by a tab without a channel, expiries, deletions.
  setInterval(schedule, 1000);

  const app: App = {
    get selected() {
      return selected;
    },
    select,
    refresh: schedule,
    async resume(runId, reason, inFlight = []) {
      if (resuming.has(runId) || session.driving.has(runId)) return false;
      resuming.add(runId);
      try {
        const info = await runtime.get(runId);
        const agent = session.agentFor(info.workflow);
        if (!agent) return false;
        tracker.expect(runId, reason, await journaledSteps(runId), inFlight);
        await agent.runtime.resume(runId);
        return true;
      } catch (error) {
        tracker.forget(runId);
        if (CairnError.is(error, 'lease-held')) return false;
        throw error;
      } finally {
        resuming.delete(runId);
      }
    },
    standBy() {
      standingBy = true;
      schedule();
    },
  };
  return app;
}
