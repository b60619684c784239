/**
 * The page's controller. The Cairn Inspector, mounted in the page over the demo's IndexedDB store,
 * shows the runs (list, filters, a run's conversation and timeline) and acts on them (approve,
 * retry, fork, cancel, delete) through the page's runtime. Beside it, this file keeps what only the
 * page knows: who drives the run the Inspector shows, what this tab's resumes measured, the steps in
 * flight, the outside world's ledger, and the standby that takes runs over from tabs that go away.
 */
import { CairnError, RUN_STATUSES } from '@cairn/core';
import { mountInspector } from '@cairn/inspector';
import { clearLedger, readLedger } from './browser-ledger.ts';
import { byId, h } from './dom.ts';
import type { LiveSteps } from './live-steps.ts';
import { createPageRuntime } from './page-runtime.ts';
import { noticesOf, type ResumeReason, type ResumeTracker } from './resume-notices.ts';
import type { DemoSession } from './session.ts';
import { createStandby } from './standby.ts';
import { renderRunPanel } from './views/run-panel.ts';

/** The controller. */
export interface App {
  /** Show a run in the Inspector (its route is in the URL, so a reload shows it again). */
  select(runId: string | null): void;
  refresh(): void;
  /** Resume `runId` in this tab, measuring the resume for its notice. */
  resume(runId: string, reason: ResumeReason, inFlight?: string[]): Promise<boolean>;
  /** Start standing by for runs other tabs drive (after the page resumed what it left itself). */
  standBy(): void;
}

/** What the controller needs. */
export interface AppOptions {
  session: DemoSession;
  tracker: ResumeTracker;
  live: LiveSteps;
}

const RUN_ROUTE = '#/runs/';

/** The run the Inspector shows: its route is `#/runs/<id>` (`null` on its run list). */
function shownRun(): string | null {
  if (!location.hash.startsWith(RUN_ROUTE)) return null;
  try {
    return decodeURIComponent(location.hash.slice(RUN_ROUTE.length)) || null;
  } catch {
    return null;
  }
}

/** Create the controller, mount the Inspector and wire the page's own buttons. */
export function createApp({ session, tracker, live }: AppOptions): App {
  const runtime = session.runtime;
  let lastSignature = '';
  let note = '';
  let standingBy = false;
  // One resume per run at a time in this tab (a standby wake-up may race the page's own resume).
  const resuming = new Set<string>();
  const standby = createStandby(session.locks, async (runId) => {
    const info = await runtime.get(runId).catch(() => null);
    if (info?.status === 'running') await app.resume(runId, 'takeover');
    schedule();
  });

  async function journaledSteps(runId: string): Promise<Set<string>> {
    const history = await runtime.history(runId);
    return new Set(history.filter((item) => item.kind === 'step-end' || item.kind === 'step-fail').map((item) => item.key));
  }

  // The tab that decides an approval resumes the run (when it can drive its workflow): measure it.
  const pageRuntime = createPageRuntime({
    runtime,
    agentFor: (workflow) => session.agentFor(workflow),
    async beforeApprove(runId) {
      const info = await runtime.get(runId);
      if (session.agentFor(info.workflow)) tracker.expect(runId, 'approval', await journaledSteps(runId));
    },
    approveFailed: (runId) => tracker.forget(runId),
  });
  const inspectorElement = byId('inspector');
  const inspector = mountInspector(inspectorElement, { runtime: pageRuntime, pollMs: 500 });

  function renderPanel(info: Awaited<ReturnType<typeof runtime.get>> | null, runId: string | null): void {
    const panel = byId('run-panel');
    if (!info) {
      lastSignature = '';
      panel.replaceChildren(
        h('h2', {}, 'This tab and the run'),
        h(
          'p',
          { class: 'empty' },
          runId
            ? 'This run no longer exists.'
            : 'Start a run, or open one in the Inspector: this panel shows who drives it, what resuming it measured and what it did to the outside world.',
        ),
      );
      return;
    }
    const view = {
      info,
      live: live.inFlight(info.runId),
      notices: noticesOf(info.runId),
      effects: readLedger().filter((effect) => effect.runId === info.runId),
      drivenHere: session.driving.has(info.runId),
      canDrive: session.agentFor(info.workflow) !== null,
    };
    const signature = JSON.stringify([
      info.runId,
      info.status,
      info.lastSeq,
      info.pendingApprovals?.length,
      view.live.map((step) => [step.stepId, step.text.length]),
      view.notices,
      view.effects.length,
      view.drivenHere,
      view.canDrive,
    ]);
    if (signature === lastSignature) return;
    lastSignature = signature;
    panel.replaceChildren(...renderRunPanel(view));
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
    const running = await runtime.list({ status: ['running'], limit: 100 });
    // Every running run another tab drives: wait for its lock, to take over if that tab goes away.
    const followed = new Set<string>();
    for (const run of standingBy ? running.runs : []) {
      if (session.driving.has(run.runId) || !session.agentFor(run.workflow)) continue;
      followed.add(run.runId);
      standby.watch(run.runId);
    }
    standby.retain(followed);
    const runId = shownRun();
    const info = runId ? await runtime.get(runId).catch(() => null) : null;
    byId('note').textContent = note;
    byId('tab-role').textContent =
      `This tab drives ${session.driving.size} run${session.driving.size === 1 ? '' : 's'} and stands by for ${standby.watching.size}.` +
      (session.openAIModel ? ` OpenAI key in memory (${session.openAIModel}).` : '');
    renderPanel(info, runId);
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
          byId('note').textContent = `Could not read the store: ${(error as Error).message}`;
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
    inspector.show(runId);
    schedule();
  }

  // The Inspector routes with pushState (no event): follow its clicks, and the back button.
  inspectorElement.addEventListener('click', schedule);
  addEventListener('popstate', schedule);
  byId('cleanup').addEventListener(
    'click',
    () =>
      void act(async () => {
        const deleted = await runtime.cleanup({ olderThanMs: 0 });
        const runId = shownRun();
        if (runId && !(await runtime.get(runId).catch(() => null))) select(null);
        note = `Cleaned up ${deleted} finished run${deleted === 1 ? '' : 's'} (completed, failed, cancelled).`;
      }),
  );
  byId('reset').addEventListener(
    'click',
    () =>
      void act(async () => {
        if (!confirm('Delete every run of this demo and its outside-world ledger?')) return;
        for (const run of (await runtime.list({ status: ['running', 'paused'], limit: 500 })).runs)
          await pageRuntime.cancel(run.runId).catch(() => undefined);
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
