/**
 * What the IndexedDB bench page offers Node (no DOM types here, so Node code can import it).
 */
import type { CapturedAppend } from '../lib/direct-run.ts';

/** The page's `window.bench`. */
export interface BenchPage {
  setup(appends: CapturedAppend[]): Promise<void>;
  /** Milliseconds for `steps` steps of each variant. */
  ours(steps: number): Promise<number>;
  /** The store's `append` called directly with the captured entry and patch per step (no engine). */
  alone(steps: number): Promise<number>;
  raw(steps: number): Promise<number>;
  loop(steps: number): Promise<number>;
}
