/**
 * What the IndexedDB bench page offers Node (no DOM types here, so Node code can import it).
 */
import type { NewEntry } from '@cairn/core';

/** The page's `window.bench`. */
export interface BenchPage {
  setup(entries: NewEntry[]): Promise<void>;
  /** Milliseconds for `steps` steps of each variant. */
  ours(steps: number): Promise<number>;
  raw(steps: number): Promise<number>;
  loop(steps: number): Promise<number>;
}
