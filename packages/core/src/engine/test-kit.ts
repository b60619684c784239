/**
 * Shared set-up for the engine's own tests: a memory store, a manual clock and runtimes that are
 * closed after each test. Portable, so the engine tests also run in workerd.
 */
import { afterEach } from 'vitest';
import { type CreateMemoryStoreOptions, createMemoryBacking, createMemoryStore } from '../storage/memory-store.ts';
import type { DurableStore } from '../storage/types.ts';
import { createManualClock, type ManualClock } from './clock.ts';
import { type CreateRuntimeOptions, createRuntime, type Runtime } from './runtime.ts';

/** A test bed: one backing, any number of runtimes over it. */
export interface TestBed {
  clock: ManualClock;
  store: DurableStore;
  /** A new store handle on the same backing (a "second process"). */
  peerStore(): DurableStore;
  runtime(options: Omit<CreateRuntimeOptions, 'store'> & { store?: DurableStore }): Runtime;
}

const open: Runtime[] = [];
afterEach(async () => {
  for (const runtime of open.splice(0)) await runtime.close();
});

/** Create a test bed. */
export function testBed(storeOptions: Omit<CreateMemoryStoreOptions, 'backing'> = {}): TestBed {
  const backing = createMemoryBacking();
  const clock = createManualClock();
  const store = createMemoryStore({ ...storeOptions, backing });
  return {
    clock,
    store,
    peerStore: () => createMemoryStore({ ...storeOptions, backing }),
    runtime(options) {
      const runtime = createRuntime({ leaseMs: 1000, clock, ...options, store: options.store ?? store });
      open.push(runtime);
      return runtime;
    },
  };
}

/** Let pending promise chains run (memory store operations resolve in microtasks). */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}
