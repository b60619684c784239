/**
 * `@cairn/core/testing` — what adapters and applications test against: the storage conformance
 * suite (one call per adapter and runtime), its groups, and fixtures. Needs `vitest` (an optional
 * peer dependency); imports no `node:*`, no `Buffer` and no DOM.
 *
 * @example
 * import { storeConformanceSuite } from '@cairn/core/testing';
 * storeConformanceSuite({ name: 'memory', create: async () => createMemoryStore() });
 */

export { concurrencySuite } from './concurrency-suite.ts';
export type { DefineStoreHarnessOptions } from './define-store-harness.ts';
export { defineStoreHarness } from './define-store-harness.ts';
export { durabilitySuite } from './durability-suite.ts';
export { engineConformanceSuite } from './engine-suite.ts';
export { errorsSuite, INVALID_RUN_IDS } from './errors-suite.ts';
export { entryFixture, FIXTURE_TIME, newRunFixture, richRunFixture, textOfBytes, utf8Bytes } from './fixtures.ts';
export type { StoreHarness } from './harness.ts';
export type { InterruptingStore } from './interrupting-store.ts';
export { createInterruptingStore } from './interrupting-store.ts';
export { journalSuite } from './journal-suite.ts';
export { listingSuite } from './listing-suite.ts';
export { payloadLimitsSuite } from './payload-limits-suite.ts';
export type { RaceObservation } from './race-scenarios.ts';
export { contendAppends, interleaveDomains, raceAppend, raceCreate, raceUpdate } from './race-scenarios.ts';
export { runsSuite } from './runs-suite.ts';
export { storeConformanceSuite } from './store-conformance-suite.ts';
