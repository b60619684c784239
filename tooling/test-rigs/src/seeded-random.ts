/**
 * Seeded randomness for tests that interrupt a run "at random moments" and for the torture
 * harness's kill plans: a seed names the same sequence on every machine (the moments it lands at
 * still depend on the machine's timing, which is the point). The seed is logged, and
 * `CAIRN_E2E_SEED=<seed>` replays the same moments when a run has to be reproduced.
 */

/** A random source whose sequence is fixed by its seed. */
export interface SeededRandom {
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max] (both included). */
  between(min: number, max: number): number;
}

/**
 * mulberry32: tiny, fast and good enough to pick delays and kill plans. Only the low 32 bits of
 * `seed` matter.
 *
 * @example
 * const random = seededRandom(42);
 * const delayMs = random.between(0, 50);
 */
export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return { seed, next, between: (min, max) => min + Math.floor(next() * (max - min + 1)) };
}

/** The seed from `CAIRN_E2E_SEED`, or a fresh one. */
export function seedFromEnvironment(): number {
  const fromEnv = process.env.CAIRN_E2E_SEED;
  if (fromEnv !== undefined && fromEnv !== '') {
    const seed = Number(fromEnv);
    if (!Number.isInteger(seed) || seed < 0) throw new Error(`CAIRN_E2E_SEED must be a non-negative integer, got "${fromEnv}"`);
    return seed;
  }
  return Math.floor(Math.random() * 2 ** 31);
}
