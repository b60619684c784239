/**
 * An in-browser agent app, as a user would write it with this package: the `trip-planner` agent on
 * an IndexedDB store, Web Locks as the runtime's `locks`, engine events posted to the other tabs,
 * and on every load `runtime.resumeAll()` to pick up a run a reload interrupted. The page renders
 * each run's timeline from events (./run-timeline.ts).
 *
 * Configured by its URL, which survives reloads: `?db=<database>&endpoint=<tool endpoint>&tab=<name>`
 * `&modelDelayMs=<ms>&follow=1`. With `follow=1` the tab also stands by for every running run it
 * could not resume at load (its lock still held, e.g. by the document a reload is replacing).
 */
import { CairnError, createRuntime, type HistoryItem, type RunEvent, type RunInfo } from '@cairn/core';
import { createIndexedDBStore, createTabChannel, createWebLocks } from '../../src/index.ts';
import { createTimeline, type TimelineItem } from './run-timeline.ts';
import { tripAgent } from './trip-agent.ts';

const params = new URLSearchParams(location.search);
const db = params.get('db') ?? 'agent-runs';
const tab = params.get('tab') ?? 'tab';
const endpoint = params.get('endpoint') ?? '';
const owner = `${tab}-${crypto.randomUUID().slice(0, 8)}`;

/** A model call as the page saw it start (`at`: this browser's clock, as journal times are). */
export interface ModelCall {
  turn: number;
  tab: string;
  at: number;
}

/** Counters that must survive reloads (localStorage is synchronous and shared by the origin's tabs). */
function bump(name: string, field: string): void {
  const counts = JSON.parse(localStorage.getItem(name) ?? '{}') as Record<string, number>;
  counts[field] = (counts[field] ?? 0) + 1;
  localStorage.setItem(name, JSON.stringify(counts));
}

function counts(name: string): Record<string, number> {
  return JSON.parse(localStorage.getItem(name) ?? '{}') as Record<string, number>;
}

const agent = tripAgent({
  endpoint,
  tab,
  owner: () => owner,
  modelDelayMs: Number(params.get('modelDelayMs') ?? 200),
  onModelCall(turn) {
    const calls = JSON.parse(localStorage.getItem('model-calls') ?? '[]') as ModelCall[];
    calls.push({ turn, tab, at: Date.now() });
    localStorage.setItem('model-calls', JSON.stringify(calls));
  },
});
const store = createIndexedDBStore({ name: db });
const locks = createWebLocks();
const channel = createTabChannel<RunEvent>(db);
const root = document.createElement('main');
document.body.append(root);
const timeline = createTimeline(root);
const runtime = createRuntime({
  store,
  workflows: [agent],
  locks,
  owner,
  pollMs: 200,
  onEvent(event) {
    timeline.apply(event);
    channel.post(event);
  },
});
// Progress of runs driven by the other tabs.
channel.subscribe((event) => timeline.apply(event));

/** Runs this document took over (by `resumeAll` at load or by standing by). */
const resumed: string[] = [];

function noteResume(runId: string): void {
  resumed.push(runId);
  bump('resumes', tab);
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/**
 * Wait for the lock of `runId` (held by the tab driving it), then resume the run: the driver
 * closed, crashed or reloaded. If another tab resumes it first, wait for that tab in turn.
 */
async function standby(runId: string): Promise<void> {
  for (let round = 0; round < 50; round++) {
    if (TERMINAL.has((await runtime.get(runId)).status)) return;
    const lock = await locks.waitForRunLock(runId, { signal: AbortSignal.timeout(120_000) });
    // The runtime takes the lock itself: hand it over.
    lock.release();
    try {
      await runtime.resume(runId);
      noteResume(runId);
      return;
    } catch (error) {
      if (!CairnError.is(error, 'lease-held')) throw error;
    }
  }
  throw new Error(`run "${runId}": gave up standing by after 50 rounds`);
}

async function load(): Promise<void> {
  const outcome = await runtime.resumeAll();
  for (const runId of outcome.resumed) noteResume(runId);
  for (const failure of outcome.failed) console.error(`resume of ${failure.runId} failed`, failure.error);
  if (params.get('follow') !== '1') return;
  const { runs } = await runtime.list({ status: ['running'] });
  for (const run of runs) if (!outcome.resumed.includes(run.runId)) void standby(run.runId).catch(reportError);
}

/** What tests drive. */
export interface AgentPage {
  readonly tab: string;
  readonly owner: string;
  /** Settles once the load-time `resumeAll` is done. */
  readonly loaded: Promise<void>;
  start(input: string): Promise<string>;
  result(runId: string): Promise<string>;
  get(runId: string): Promise<RunInfo>;
  history(runId: string): Promise<HistoryItem[]>;
  resumeAll(): Promise<string[]>;
  /** Start standing by for `runId` (returns at once). */
  standby(runId: string): void;
  /** Runs this document resumed. */
  resumed(): string[];
  timeline(runId: string): TimelineItem[];
  rebuilds(runId: string): number;
  /** Model calls started and resumes per tab, across reloads and tabs. */
  counts(): { modelCalls: ModelCall[]; resumes: Record<string, number> };
}

declare global {
  interface Window {
    agent: AgentPage;
  }
}

window.agent = {
  tab,
  owner,
  loaded: load(),
  start: async (input) => (await runtime.start(agent, input)).runId,
  result: (runId) => runtime.handle<string>(runId).result(),
  get: (runId) => runtime.get(runId),
  history: (runId) => runtime.history(runId),
  resumeAll: async () => {
    const outcome = await runtime.resumeAll();
    for (const runId of outcome.resumed) noteResume(runId);
    return outcome.resumed;
  },
  standby(runId) {
    void standby(runId).catch(reportError);
  },
  resumed: () => [...resumed],
  timeline: (runId) => timeline.items(runId),
  rebuilds: (runId) => timeline.rebuilds(runId),
  counts: () => ({
    modelCalls: JSON.parse(localStorage.getItem('model-calls') ?? '[]') as ModelCall[],
    resumes: counts('resumes'),
  }),
};
