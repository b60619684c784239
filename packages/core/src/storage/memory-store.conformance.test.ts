import { defineStoreHarness } from '../testing/define-store-harness.ts';
import { payloadLimitsSuite } from '../testing/payload-limits-suite.ts';
import { storeConformanceSuite } from '../testing/store-conformance-suite.ts';
import { createMemoryBacking, createMemoryStore } from './memory-store.ts';

// Peers and reopened handles share the first handle's backing.
const memoryHarness = (name: string, maxPayloadBytes?: number) =>
  defineStoreHarness({ name, create: createMemoryBacking, open: (backing) => createMemoryStore({ backing, maxPayloadBytes }) });

storeConformanceSuite(memoryHarness('memory'));
// A small limit exercises the size boundary with multi-byte text cheaply.
payloadLimitsSuite(memoryHarness('memory (64 KiB limit)', 64 * 1024));
