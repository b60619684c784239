import type { StoreHarness } from '../testing/harness.ts';
import { payloadLimitsSuite } from '../testing/payload-limits-suite.ts';
import { storeConformanceSuite } from '../testing/store-conformance-suite.ts';
import { createMemoryBacking, createMemoryStore, type MemoryBacking } from './memory-store.ts';
import type { DurableStore } from './types.ts';

/** A harness over memory stores; peers and reopened handles share the first handle's backing. */
function memoryHarness(name: string, maxPayloadBytes?: number): StoreHarness {
  const backings = new WeakMap<DurableStore, MemoryBacking>();
  const open = (backing: MemoryBacking): DurableStore => {
    const store = createMemoryStore({ backing, maxPayloadBytes });
    backings.set(store, backing);
    return store;
  };
  const backingOf = (store: DurableStore): MemoryBacking => {
    const backing = backings.get(store);
    if (!backing) throw new Error('store was not opened by this harness');
    return backing;
  };
  return {
    name,
    create: async () => open(createMemoryBacking()),
    peer: async (store) => open(backingOf(store)),
    reopen: async (store) => {
      await store.close();
      return open(backingOf(store));
    },
  };
}

storeConformanceSuite(memoryHarness('memory'));
// A small limit exercises the size boundary with multi-byte text cheaply.
payloadLimitsSuite(memoryHarness('memory (64 KiB limit)', 64 * 1024));
