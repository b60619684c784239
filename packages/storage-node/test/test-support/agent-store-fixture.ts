/**
 * The agent store of `agent-store.ts` as a per-file fixture: built before the file's tests, its
 * children killed after each test, closed and removed after the file.
 */
import type { ChildProcess } from 'node:child_process';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type AgentStore, buildAgentStore } from './agent-store.ts';
import { killCliChildren } from './run-cli.ts';

/** Register the hooks; read `fixture` and `temp` inside tests. */
export function useAgentStore(label: string): { readonly fixture: AgentStore; readonly temp: { path: string } } {
  const temp = makeTempDir(label);
  const children = new Set<ChildProcess>();
  let fixture: AgentStore | undefined;
  beforeAll(async () => {
    fixture = await buildAgentStore(temp.path, children);
  }, 120_000);
  afterEach(() => {
    killCliChildren();
    for (const child of children) child.kill('SIGKILL');
  });
  afterAll(async () => {
    await fixture?.close();
    temp.remove();
  });
  return {
    get fixture() {
      if (!fixture) throw new Error('the agent store is built in beforeAll: read it inside a test');
      return fixture;
    },
    temp,
  };
}
