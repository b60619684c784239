/**
 * Shared set-up for the agent layer's own tests: runtimes over one memory backing (so a second
 * runtime is "another process"), the system clock unless a test needs the manual one, fast retries,
 * and a store wrapper that measures what is appended. Portable: these tests also run in workerd.
 */
import { vi } from 'vitest';
import { systemClock } from '../engine/clock.ts';
import type { RunEvent } from '../engine/events.ts';
import type { CreateRuntimeOptions, Runtime } from '../engine/runtime.ts';
import { type TestBed, testBed } from '../engine/test-kit.ts';
import type { DurableStore, NewEntry } from '../storage/types.ts';

/** Retries that do not slow tests down. */
export const FAST_RETRY = { backoff: { initialMs: 1, maxMs: 5, jitter: 0 } };

/** A test bed whose runtimes use the system clock (unless given one) and fast retries. */
export interface AgentBed extends TestBed {
  runtime(options: Omit<CreateRuntimeOptions, 'store'> & { store?: DurableStore }): Runtime;
}

/** Create an agent test bed. */
export function agentBed(): AgentBed {
  const bed = testBed();
  return {
    ...bed,
    runtime: (options) => bed.runtime({ clock: systemClock, retry: FAST_RETRY, ...options }),
  };
}

/** Poll `condition` every 2 ms until it holds (or fail after `timeoutMs`), on `vi.waitFor`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  await vi.waitFor(
    () => {
      if (!condition()) throw new Error(`condition not met within ${timeoutMs} ms`);
    },
    { timeout: timeoutMs, interval: 2 },
  );
}

/** An appended entry with its payload size in UTF-8 bytes. */
export interface AppendedEntry extends NewEntry {
  bytes: number;
}

/** A store that records every appended entry (and its size), delegating everything to `inner`. */
export function measuringStore(inner: DurableStore): { store: DurableStore; appended: AppendedEntry[] } {
  const appended: AppendedEntry[] = [];
  const encoder = new TextEncoder();
  const store: DurableStore = {
    name: inner.name,
    limits: inner.limits,
    createRun: (run) => inner.createRun(run),
    getRun: (runId) => inner.getRun(runId),
    updateRun: (runId, version, patch) => inner.updateRun(runId, version, patch),
    async append(runId, expectedLastSeq, entries, patch) {
      const record = await inner.append(runId, expectedLastSeq, entries, patch);
      for (const entry of entries) appended.push({ ...entry, bytes: encoder.encode(entry.payload).length });
      return record;
    },
    readEntries: (runId, options) => inner.readEntries(runId, options),
    listRuns: (query) => inner.listRuns(query),
    deleteRuns: (query) => inner.deleteRuns(query),
    stats: () => inner.stats(),
    close: () => inner.close(),
  };
  return { store, appended };
}

/** Collect a runtime's events (pass as `onEvent`). */
export function eventLog(): { events: RunEvent[]; onEvent(event: RunEvent): void } {
  const events: RunEvent[] = [];
  return { events, onEvent: (event) => events.push(event) };
}
