/**
 * Order statistics for benchmark samples. Every figure the bench prints is a median (or another
 * percentile) of repeated measurements, never a single run or a mean: one stall of the disk or the
 * garbage collector moves a mean, not a median.
 */

/** The p-th percentile (0–100) by nearest rank; `NaN` for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** The median: the middle sample (the mean of the two middle ones for an even count). */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Half the spread between the 25th and 75th percentiles, relative to the median (a noise gauge). */
export function relativeSpread(samples: readonly number[]): number {
  const middle = median(samples);
  if (!(middle > 0) || samples.length < 3) return 0;
  return (percentile(samples, 75) - percentile(samples, 25)) / 2 / middle;
}
