import type { DurableStore } from '../storage/types.ts';

/**
 * What an adapter gives the conformance suite: one line per adapter and runtime.
 * The suite never imports `node:*`, `Buffer` or the DOM, so the same harness shape works in Node,
 * Chromium and workerd.
 */
export interface StoreHarness {
  /** Shown in test names, e.g. `sqlite`, `indexeddb (chromium)`. */
  readonly name: string;
  /** A fresh, empty store over new backing storage (a new file, database name or object). */
  create(): Promise<DurableStore>;
  /** A second, independent handle on the backing storage of `store`: another connection, tab or stub. */
  peer?(store: DurableStore): Promise<DurableStore>;
  /** Close `store` and open a new handle over the same backing storage (durability across reopen). */
  reopen?(store: DurableStore): Promise<DurableStore>;
  /** Called after each test with every store the test created; release files, databases, objects. */
  cleanup?(): Promise<void>;
}
