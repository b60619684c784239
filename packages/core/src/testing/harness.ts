import type { DurableStore } from '../storage/types.ts';

/**
 * What an adapter gives the conformance suite: one line per adapter and runtime.
 * The suite never imports `node:*`, `Buffer` or the DOM, so the same harness shape works in Node,
 * Chromium and workerd.
 *
 * @example
 * storeConformanceSuite({ name: 'sqlite', create: async () => createSqliteStore({ path: tempPath() }) });
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
  /**
   * Called after each test with every store the test created; release files, databases, objects.
   * Stores may already be closed by the test: `close()` is idempotent.
   */
  cleanup?(): Promise<void>;
  /** Per-test timeout in ms for slow backends (fsync-heavy files, real browsers); Vitest's default otherwise. */
  readonly timeoutMs?: number;
}
