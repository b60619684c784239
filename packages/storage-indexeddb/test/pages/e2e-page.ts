/**
 * The page of the e2e tests: this package on `window.cairn`, fixtures on `window.fixtures`, state
 * that must outlive one `page.evaluate` call on `window.state`, and a journal writer that a test
 * interrupts (reload, crash, browser kill) at a random moment.
 */
import type { HeldRunLock, RunEvent } from '@cairn/core';
import * as cairn from '../../src/index.ts';
import * as fixtures from '../fixtures.ts';

/** State kept in the page between evaluate calls. */
export interface PageState {
  locks: Map<string, HeldRunLock>;
  waits: Map<string, Promise<unknown>>;
  received: unknown[];
  /** Set when the writer stops on its own (it only stops on an error). */
  writerError?: string;
}

declare global {
  interface Window {
    cairn: typeof cairn;
    fixtures: typeof fixtures;
    state: PageState;
    /** Bound by the test with `page.exposeFunction`: called with each acknowledged lastSeq. */
    ack?: (lastSeq: number) => Promise<void>;
    /**
     * Append to run `runId` of database `name` forever, two entries and a patch per commit, so a
     * torn commit would show: after every commit `lastSeq` is even and `step.index === lastSeq`.
     */
    startWriter(name: string, runId: string): void;
    /** How a store call ended, as plain data: a run becomes its id, an error its facts. */
    settle(promise: Promise<unknown>): Promise<Settled>;
  }
}

/** A store call's outcome as `window.settle` reports it. */
export type Settled =
  | { value: unknown }
  | { code: string; retryable: boolean; message: string; dataLoss?: cairn.IndexedDBDataLoss };

// Engine events are tab messages as they are: a runtime's `onEvent` can post them unchanged.
export const eventChannel = (name: string): cairn.TabChannel<RunEvent> => cairn.createTabChannel<RunEvent>(name);

window.state = { locks: new Map(), waits: new Map(), received: [] };
window.cairn = cairn;
window.fixtures = fixtures;
window.settle = (promise) =>
  promise.then(
    (value) => ({ value: typeof value === 'object' && value !== null && 'runId' in value ? value.runId : value }),
    (error: unknown) => ({
      code: String((error as { code?: unknown }).code),
      retryable: (error as { retryable?: unknown }).retryable === true,
      message: String((error as Error).message),
      ...(cairn.isIndexedDBDataLossError(error) ? { dataLoss: error.dataLoss } : {}),
    }),
  );
window.startWriter = (name, runId) => {
  const store = cairn.createIndexedDBStore({ name });
  void (async () => {
    let run = (await store.getRun(runId)) ?? (await store.createRun(fixtures.runFixture(runId)));
    for (;;) {
      const seq = run.lastSeq;
      run = await store.append(
        runId,
        seq,
        [fixtures.entryFixture(`step#${seq + 1}`), fixtures.entryFixture(`step#${seq + 2}`, { kind: 'step-start' })],
        { step: { index: seq + 2, name: `step#${seq + 2}` }, updatedAt: fixtures.T0 + seq + 2 },
      );
      await window.ack?.(run.lastSeq);
    }
  })().catch((error: unknown) => {
    window.state.writerError = String(error);
  });
};
