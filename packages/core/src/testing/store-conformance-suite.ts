/**
 * The storage conformance suite: every rule of the storage contract (DESIGN §4) as Vitest tests,
 * run against one adapter in one runtime. Portable by construction: no `node:*`, no `Buffer`, no
 * DOM, so the same call runs in Node, happy-dom, real Chromium and workerd.
 */
import { concurrencySuite } from './concurrency-suite.ts';
import { durabilitySuite } from './durability-suite.ts';
import { errorsSuite } from './errors-suite.ts';
import type { StoreHarness } from './harness.ts';
import { journalSuite } from './journal-suite.ts';
import { listingSuite } from './listing-suite.ts';
import { payloadLimitsSuite } from './payload-limits-suite.ts';
import { runsSuite } from './runs-suite.ts';

/**
 * Register every conformance group for `harness` (call it at the top level of a test file). Each
 * test opens a fresh store with `harness.create()` and the harness's `cleanup` runs after it.
 *
 * @example
 * // packages/storage-node/src/sqlite-store.conformance.test.ts
 * import { storeConformanceSuite } from '@cairn/core/testing';
 * storeConformanceSuite({
 *   name: 'sqlite',
 *   create: async () => createSqliteStore({ path: join(tempDir, `${crypto.randomUUID()}.db`) }),
 *   peer: async (store) => createSqliteStore({ path: pathOf(store) }),
 *   reopen: async (store) => { await store.close(); return createSqliteStore({ path: pathOf(store) }); },
 * });
 */
export function storeConformanceSuite(harness: StoreHarness): void {
  runsSuite(harness);
  journalSuite(harness);
  listingSuite(harness);
  concurrencySuite(harness);
  durabilitySuite(harness);
  errorsSuite(harness);
  payloadLimitsSuite(harness);
}
