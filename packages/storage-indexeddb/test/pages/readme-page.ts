/**
 * The README's example, as a page: the `greet` workflow on an IndexedDB store with Web Locks and a
 * tab channel. Step executions are counted in localStorage (synchronous, survives reloads) so a
 * test can prove that a reload never runs a completed step again.
 */
import { createRuntime, defineWorkflow, type RunEvent, type RunInfo } from '@cairn/core';
import { createIndexedDBStore, createTabChannel, createWebLocks } from '../../src/index.ts';

function count(step: string): void {
  const calls = JSON.parse(localStorage.getItem('calls') ?? '{}') as Record<string, number>;
  calls[step] = (calls[step] ?? 0) + 1;
  localStorage.setItem('calls', JSON.stringify(calls));
}

const greet = defineWorkflow('greet', async (ctx, name: string) => {
  const greeting = await ctx.step('compose', async () => {
    count('compose');
    return `Hello, ${name}!`;
  });
  await ctx.sleep(1_000);
  return ctx.step('shout', async () => {
    count('shout');
    return greeting.toUpperCase();
  });
});

const store = createIndexedDBStore({ name: 'my-app-runs' });
const channel = createTabChannel<RunEvent>('my-app-runs');
const runtime = createRuntime({
  store,
  workflows: [greet],
  locks: createWebLocks(),
  onEvent: (event) => channel.post(event),
});
const heard: RunEvent[] = [];
channel.subscribe((event) => heard.push(event));

/** What the test drives. */
export interface ReadmePage {
  start(): Promise<string>;
  resumeAll(): Promise<string[]>;
  result(runId: string): Promise<unknown>;
  get(runId: string): Promise<RunInfo>;
  calls(): Record<string, number>;
  heard(): string[];
}

declare global {
  interface Window {
    readme: ReadmePage;
  }
}

window.readme = {
  start: async () => (await runtime.start(greet, 'Ada')).runId,
  resumeAll: async () => (await runtime.resumeAll()).resumed,
  result: (runId) => runtime.handle(runId).result(),
  get: (runId) => runtime.get(runId),
  calls: () => JSON.parse(localStorage.getItem('calls') ?? '{}') as Record<string, number>,
  heard: () => heard.map((event) => event.type),
};
