/**
 * How every conformance group registers itself: one `describe` per group, named after the harness,
 * with the harness's cleanup after each test so every test starts from a fresh store.
 */
import { afterEach, describe, it } from 'vitest';
import type { DurableStore } from '../storage/types.ts';
import type { StoreHarness } from './harness.ts';

/** What a group's body gets: a test registrar bound to the harness's timeout, and store openers. */
export interface GroupContext {
  /** Register one test (with the harness's timeout). */
  test(name: string, body: () => Promise<void>): void;
  /** A fresh, empty store. */
  fresh(): Promise<DurableStore>;
  /** A fresh store and a second handle on its backing (the same handle when the harness has no peer). */
  pair(): Promise<[DurableStore, DurableStore]>;
}

/** Register the conformance group `title` for `harness`. */
export function conformanceGroup(harness: StoreHarness, title: string, body: (context: GroupContext) => void): void {
  describe(`${harness.name} store conformance: ${title}`, () => {
    afterEach(async () => {
      await harness.cleanup?.();
    });
    body({
      test: (name, run) => it(name, run, harness.timeoutMs),
      fresh: () => harness.create(),
      pair: async () => {
        const store = await harness.create();
        return [store, harness.peer ? await harness.peer(store) : store];
      },
    });
  });
}
