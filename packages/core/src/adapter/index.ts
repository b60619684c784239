/**
 * `@cairn/core/adapter` — the adapter kit: what every `DurableStore` shares, so that a store is its
 * storage calls and nothing else (ADR 0140). Portable like the rest of core: no `node:*`, no DOM.
 *
 * - `createAdapterKit` + `defineStore`: one per-call guard (closed check, argument validation,
 *   error mapping with the `[adapter]` prefix) around a `StoreBackend`;
 * - `kit.updated` / `kit.appended`: the version and lastSeq compare-and-set with its patch, one line;
 * - `copyRecord`, `pageOf`, `listFrom`, `statsOf`: one record copy, listing pages, counts;
 * - `firstStamp`: the random start of a run's change counter, for stores that keep what they saw;
 * - `resolveMaxPayloadBytes`: one rule for the payload limit option;
 * - `listFilterShape`, `deleteFilterShape`, `filterShapeKey`: a runs query's SQL shape, for SQL stores.
 * The conformance side is `defineStoreHarness` in `@cairn/core/testing`.
 *
 * @example
 * import { createAdapterKit, defineStore } from '@cairn/core/adapter';
 * const kit = createAdapterKit({ adapter: '@acme/cairn-kv', defaultMaxPayloadBytes: 1 << 20 });
 * const store = defineStore(kit, 'kv', {
 *   append(runId, expectedLastSeq, entries, patch) {
 *     const next = kit.appended(runId, rows.get(runId), expectedLastSeq, entries.length, patch);
 *     // … write entries and `next` in one transaction …
 *     return copyRecord(next);
 *   },
 *   // … createRun, getRun, updateRun, readEntries, listRuns, deleteRuns, stats, close
 * });
 */

export type { ListPosition } from '../storage/helpers.ts';
export { matchesDelete, matchesList } from '../storage/helpers.ts';
export type {
  AdapterKit,
  Awaitable,
  BackendFailure,
  CreateAdapterKitOptions,
  RunPage,
  StoreBackend,
} from './adapter-kit.ts';
export { createAdapterKit, defineStore } from './adapter-kit.ts';
export { resolveMaxPayloadBytes } from './payload-limit.ts';
export { copyRecord, firstStamp, listFrom, pageOf, statsOf } from './records.ts';
export type { RunFilterShape } from './run-filter.ts';
export { deleteFilterShape, filterShapeKey, listFilterShape } from './run-filter.ts';
