import { createMemoryBacking, createMemoryStore } from '../storage/memory-store.ts';
import type { DurableStore } from '../storage/types.ts';
import { engineConformanceSuite } from '../testing/index.ts';

const backings = new WeakMap<DurableStore, ReturnType<typeof createMemoryBacking>>();

engineConformanceSuite({
  name: 'memory',
  async create() {
    const backing = createMemoryBacking();
    const store = createMemoryStore({ backing });
    backings.set(store, backing);
    return store;
  },
  async reopen(store) {
    await store.close();
    const backing = backings.get(store)!;
    const next = createMemoryStore({ backing });
    backings.set(next, backing);
    return next;
  },
});
