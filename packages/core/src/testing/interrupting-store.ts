/**
 * A store wrapper that dies at the n-th write, as a process would: that write and every later call
 * (reads too) fail and nothing more reaches the backing store. Used to interrupt a run at every
 * step boundary in a portable way; the real-crash tests (SIGKILL, tab reload, aborted Durable
 * Object) live with each adapter.
 */
import { StorageUnavailableError } from '../errors.ts';
import type { DurableStore } from '../storage/types.ts';

/** A store that dies at a given write. */
export interface InterruptingStore extends DurableStore {
  /** Writes attempted so far (including the fatal one). */
  readonly writes: number;
  readonly dead: boolean;
}

/** Wrap `store` so that write number `dieAtWrite` (1-based) and everything after it fails. */
export function createInterruptingStore(store: DurableStore, dieAtWrite: number): InterruptingStore {
  let writes = 0;
  let dead = false;
  const fail = (): Promise<never> =>
    Promise.reject(new StorageUnavailableError('[@cairn/core/testing] simulated crash: the process is gone'));
  const read =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      dead ? fail() : fn(...args);
  const write =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      if (dead) return fail();
      writes++;
      if (writes >= dieAtWrite) {
        dead = true;
        return fail();
      }
      return fn(...args);
    };
  return {
    name: store.name,
    limits: store.limits,
    get writes() {
      return writes;
    },
    get dead() {
      return dead;
    },
    createRun: write(store.createRun.bind(store)),
    updateRun: write(store.updateRun.bind(store)),
    append: write(store.append.bind(store)),
    deleteRuns: write(store.deleteRuns.bind(store)),
    getRun: read(store.getRun.bind(store)),
    readEntries: read(store.readEntries.bind(store)),
    listRuns: read(store.listRuns.bind(store)),
    stats: read(store.stats.bind(store)),
    close: async () => {
      dead = true;
    },
  };
}
