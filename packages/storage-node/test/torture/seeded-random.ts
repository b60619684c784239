/**
 * A small seeded pseudo-random generator (mulberry32): the torture harness draws every kill plan
 * from it, so a seed names the same sequence of plans on every machine (the moments they land at
 * still depend on the machine's timing, which is the point).
 */

/** Draws from a seeded sequence. */
export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (both included). */
  int(min: number, max: number): number;
  /** One of `items`, uniformly. */
  pick<T>(items: readonly T[]): T;
}

/**
 * A generator for `seed` (any integer; only its low 32 bits matter).
 *
 * @example
 * const random = createSeededRandom(42);
 * const delayMs = random.int(0, 50);
 */
export function createSeededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
  };
}
