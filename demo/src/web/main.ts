/**
 * The browser demo's entry: open the session, resume whatever a reload (or a closed tab) left
 * running, and wire the task form. `?delay=<ms>` sets how long the scripted model thinks per call
 * (default 1200, so a person can watch — and reload — mid-run).
 */
import { CUSTOMER_MESSAGE } from '../shared/support-data.ts';
import { createApp } from './app.ts';
import { byId } from './dom.ts';
import { createLiveSteps } from './live-steps.ts';
import { createResumeTracker, rememberInFlight, takeInFlightAtUnload } from './resume-notices.ts';
import { createDemoSession } from './session.ts';
// The Inspector's stylesheet first: the page's own (styles.css) sets the colours and the layout.
import '@cairn/inspector/styles.css';
import './styles.css';

const delayMs = Math.max(0, Number(new URLSearchParams(location.search).get('delay') ?? 1200) || 0);
const session = createDemoSession({ delayMs, delays: { readMs: Math.round(delayMs * 0.6), writeMs: delayMs } });
const live = createLiveSteps();
const app = createApp({ session, tracker: createResumeTracker(), live });

// What this tab drove when it went away, so the next load can say "resumed after reload".
addEventListener('pagehide', () => {
  const inFlight = live.localInFlight();
  rememberInFlight(Object.fromEntries([...session.driving].map((runId) => [runId, inFlight[runId] ?? []])));
});

async function resumeLeftovers(): Promise<void> {
  const droveBefore = takeInFlightAtUnload();
  const { runs } = await session.runtime.list({ status: ['running'], limit: 100 });
  for (const run of runs) {
    const before = droveBefore[run.runId];
    // Resumes only if the run's Web Lock is free: a run another live tab drives stays with it.
    await app.resume(run.runId, before ? 'reload' : 'takeover', before ?? []).catch((error: unknown) => {
      byId('task-error').textContent = `Could not resume ${run.runId}: ${(error as Error).message}`;
    });
  }
  // Paused runs whose wake time has come (none in this demo, but a real app wants them).
  await session.resumeAll();
}

function wireTaskForm(): void {
  const form = byId<HTMLFormElement>('task-form');
  const message = byId<HTMLTextAreaElement>('task-message');
  const error = byId('task-error');
  const openai = byId('openai-settings');
  message.value = CUSTOMER_MESSAGE;
  const model = (): 'scripted' | 'openai' => (new FormData(form).get('model') === 'openai' ? 'openai' : 'scripted');
  form.addEventListener('change', () => {
    openai.hidden = model() !== 'openai';
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.textContent = '';
    void (async () => {
      if (model() === 'openai') {
        const apiKey = byId<HTMLInputElement>('openai-key').value.trim();
        const name = byId<HTMLInputElement>('openai-model').value.trim() || 'gpt-4o-mini';
        const baseURL = byId<HTMLInputElement>('openai-base-url').value.trim();
        if (!apiKey) throw new Error('Type an OpenAI API key first (it stays in this tab’s memory).');
        await session.useOpenAI({ apiKey, model: name, ...(baseURL ? { baseURL } : {}) });
      }
      app.select(await session.start(message.value.trim() || CUSTOMER_MESSAGE, model()));
    })().catch((failure: unknown) => {
      error.textContent = (failure as Error).message;
    });
  });
}

wireTaskForm();
app.refresh();
await resumeLeftovers();
app.standBy();
// Ready for people and for the e2e test (which waits for this before acting).
document.body.dataset.ready = 'true';
