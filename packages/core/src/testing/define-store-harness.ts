/**
 * The conformance harness in a few lines: an adapter says how to make a new backing location (a
 * file path, a directory, a database name, an object id), how to open a handle on one, and how to
 * remove one; this builds `create`, `peer`, `reopen` and `cleanup` from that.
 */
import type { DurableStore } from '../storage/types.ts';
import type { StoreHarness } from './harness.ts';

/** Options of `defineStoreHarness`; `Location` is whatever names one backing storage. */
export interface DefineStoreHarnessOptions<Location> {
  /** Shown in test names, e.g. `sqlite`, `indexeddb (chromium)`. */
  name: string;
  /** A new, empty backing location (a fresh path, database name, object id). */
  create(): Location | Promise<Location>;
  /** A handle on `location`: used by `create`, `peer` (a second handle) and `reopen`. */
  open(location: Location): DurableStore | Promise<DurableStore>;
  /** Between closing a handle and reopening its location (evict an object, drop a process cache). */
  afterClose?(location: Location): void | Promise<void>;
  /** Remove a location made by `create`, after each test, once its handles are closed. */
  remove?(location: Location): void | Promise<void>;
  /** Per-test timeout in ms for slow backends. */
  timeoutMs?: number;
}

/**
 * A `StoreHarness` over `open`: peers and reopened handles share the location of the handle they
 * come from; after each test every handle opened is closed and every location removed.
 *
 * @example
 * storeConformanceSuite(defineStoreHarness({
 *   name: 'sqlite',
 *   create: () => join(temp.path, `${crypto.randomUUID()}.db`),
 *   open: (path) => createSqliteStore({ path }),
 *   remove: (path) => rmSync(path, { force: true }),
 * }));
 */
export function defineStoreHarness<Location>(options: DefineStoreHarnessOptions<Location>): StoreHarness {
  const locationOf = new WeakMap<DurableStore, Location>();
  const opened: DurableStore[] = [];
  const locations: Location[] = [];
  const open = async (location: Location): Promise<DurableStore> => {
    const store = await options.open(location);
    locationOf.set(store, location);
    opened.push(store);
    return store;
  };
  const locationFor = (store: DurableStore): Location => {
    if (!locationOf.has(store)) throw new Error(`[${options.name} harness] store was not opened by this harness`);
    return locationOf.get(store) as Location;
  };
  return {
    name: options.name,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    async create() {
      const location = await options.create();
      locations.push(location);
      return open(location);
    },
    peer: (store) => open(locationFor(store)),
    async reopen(store) {
      const location = locationFor(store);
      await store.close();
      await options.afterClose?.(location);
      return open(location);
    },
    async cleanup() {
      await Promise.all(opened.splice(0).map((store) => store.close()));
      const { remove } = options;
      if (remove) for (const location of locations.splice(0)) await remove(location);
      else locations.length = 0;
    },
  };
}
