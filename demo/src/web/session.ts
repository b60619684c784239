/**
 * The page's Cairn session: the IndexedDB store shared by every tab of the origin, Web Locks so one
 * tab drives a run at a time, a BroadcastChannel that carries the driving tab's events to the
 * others, and one agent per model (a run resumes only under its workflow name, and the OpenAI
 * agent exists only while this tab holds a key in memory).
 */
import type { Agent, DurableStore, RunEvent, Runtime } from '@cairn/core';
import {
  createIndexedDBStore,
  createTabChannel,
  createWebLocks,
  type TabChannel,
  type WebRunLocks,
} from '@cairn/storage-indexeddb';
import type { SideEffectLedger } from '../shared/side-effects.ts';
import { createDemoScriptedModel, createSupportAgent } from '../shared/support-agent.ts';
import type { ToolDelays } from '../shared/support-tools.ts';
import { createBrowserLedger } from './browser-ledger.ts';

/** The IndexedDB database (and channel) name of the demo. */
export const DB_NAME = 'cairn-demo';
/** Workflow name of the runs of the scripted model. */
export const SCRIPTED_WORKFLOW = 'support';
/** Workflow name of the runs of OpenAI (a run resumes only under the name it was started with). */
export const OPENAI_WORKFLOW = 'support-openai';

/** An event of any tab, and whether this tab emitted it. */
export interface SeenEvent {
  event: RunEvent;
  local: boolean;
}

/** What the OpenAI agent needs. The key lives in this object only: never stored, gone on reload. */
export interface OpenAISettings {
  apiKey: string;
  model: string;
  baseURL?: string;
}

/** The page's session. */
export interface DemoSession {
  readonly store: DurableStore;
  readonly locks: WebRunLocks;
  readonly ledger: SideEffectLedger;
  /** The scripted agent's runtime, used for listing, history, stats, delete and cleanup. */
  readonly runtime: Runtime;
  /** Runs this tab drives right now. */
  readonly driving: ReadonlySet<string>;
  /** The agent that can drive runs of `workflow` in this tab (`null`: OpenAI without a key yet). */
  agentFor(workflow: string): Agent<string> | null;
  /** Create the OpenAI agent with a key typed into the page, and resume its runs left by a reload. */
  useOpenAI(settings: OpenAISettings): Promise<void>;
  readonly openAIModel: string | null;
  /** Start a run of the support agent with `message`. */
  start(message: string, model: 'scripted' | 'openai'): Promise<string>;
  /** Resume every run this tab can take (free run lock): after a reload, or a closed tab's. */
  resumeAll(): Promise<string[]>;
  /** Events of this tab and of the others. */
  subscribe(listener: (seen: SeenEvent) => void): () => void;
}

/** Options of `createDemoSession`. */
export interface DemoSessionOptions {
  /** How long the scripted model thinks per call (a person should be able to watch and reload). */
  delayMs: number;
  delays: ToolDelays;
}

/** Open the session. */
export function createDemoSession(options: DemoSessionOptions): DemoSession {
  const store = createIndexedDBStore({ name: DB_NAME });
  const locks = createWebLocks({ prefix: `${DB_NAME}:run:` });
  const channel: TabChannel<RunEvent> = createTabChannel<RunEvent>(DB_NAME);
  const ledger = createBrowserLedger();
  const listeners = new Set<(seen: SeenEvent) => void>();
  const driving = new Set<string>();

  function deliver(seen: SeenEvent): void {
    for (const listener of [...listeners]) listener(seen);
  }

  function onLocalEvent(event: RunEvent): void {
    if (event.type === 'run-start' || event.type === 'run-resume') driving.add(event.runId);
    if (event.type === 'run-end' || event.type === 'run-pause' || event.type === 'lease-lost') driving.delete(event.runId);
    try {
      channel.post(event);
    } catch {
      // A closed channel (page unloading) must not break the run.
    }
    deliver({ event, local: true });
  }
  channel.subscribe((event) => deliver({ event, local: false }));

  const runtimeOptions = { locks, onEvent: onLocalEvent, pollMs: 500 };
  const scripted = createSupportAgent({
    name: SCRIPTED_WORKFLOW,
    store,
    model: createDemoScriptedModel({ delayMs: options.delayMs, chunkDelayMs: Math.round(options.delayMs / 25) }),
    ledger,
    delays: options.delays,
    refundNeedsApproval: true,
    runtime: runtimeOptions,
  });
  let openai: Agent<string> | null = null;
  let openAIModel: string | null = null;

  return {
    store,
    locks,
    ledger,
    runtime: scripted.runtime,
    driving,
    get openAIModel() {
      return openAIModel;
    },
    agentFor(workflow) {
      if (workflow === SCRIPTED_WORKFLOW) return scripted;
      if (workflow === OPENAI_WORKFLOW) return openai;
      return null;
    },
    async useOpenAI(settings) {
      // Loaded on first use: the openai client is most of the page's JavaScript.
      const { createDemoOpenAIModel } = await import('../shared/openai-model.ts');
      await openai?.close();
      openai = createSupportAgent({
        name: OPENAI_WORKFLOW,
        store,
        model: createDemoOpenAIModel({ ...settings, browser: true }),
        ledger,
        delays: options.delays,
        refundNeedsApproval: true,
        runtime: runtimeOptions,
      });
      openAIModel = settings.model;
      await openai.runtime.resumeAll();
    },
    async start(message, model) {
      const agent = model === 'openai' ? openai : scripted;
      if (!agent) throw new Error('Type an OpenAI API key first (it stays in this tab’s memory).');
      const handle = await agent.runtime.start(agent.workflow, message);
      return handle.runId;
    },
    async resumeAll() {
      const results = await Promise.all([scripted, openai].map((agent) => agent?.runtime.resumeAll()));
      return results.flatMap((result) => result?.resumed ?? []);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
