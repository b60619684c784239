/**
 * The things scenario 1 times, behind one shape: Cairn's engine on a store, the store alone (its
 * `append` called directly with the bytes the engine would write), and a raw backend write.
 */
import { createRuntime, type Runtime } from '@cairn/core';
import { type CapturedAppend, directRun } from './direct-run.ts';
import type { RawBackend } from './raw-backends.ts';
import { openStore, type StoreKind, type StoreUnderTest } from './stores.ts';
import { stepsWorkflow } from './workflows.ts';

/** Something that does `steps` steps' worth of work. */
export interface Variant {
  name: string;
  run(steps: number): Promise<unknown>;
  close(): Promise<void>;
}

/** The step workflow through the engine on a fresh store of `kind`. */
export function engineVariant(kind: StoreKind): Variant {
  const opened: StoreUnderTest = openStore(kind, `overhead-${kind}`);
  const runtime: Runtime = createRuntime({ store: opened.store, workflows: [stepsWorkflow] });
  return {
    name: kind,
    run: async (steps) => (await runtime.start(stepsWorkflow, { steps })).result(),
    async close() {
      await runtime.close();
      await opened.close();
    },
  };
}

/** The store alone: one `append` per step of the captured entry and header patch, no engine. */
export function storeVariant(kind: StoreKind, appends: readonly CapturedAppend[]): Variant {
  const opened = openStore(kind, `store-only-${kind}`);
  let runs = 0;
  return {
    name: `store-${kind}`,
    async run(steps) {
      await directRun(opened.store, `direct-${++runs}`, steps, appends);
    },
    close: () => opened.close(),
  };
}

/** A raw backend write per step, awaited like a step commit is (the same promise hop). */
export function rawVariant(name: string, backend: RawBackend): Variant {
  let next = 0;
  return {
    name,
    async run(steps) {
      for (let index = 0; index < steps; index++) await backend.write(next++);
    },
    close: async () => backend.close(),
  };
}
