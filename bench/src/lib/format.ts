/**
 * Number formatting for the tables: fixed, readable precision so that columns compare at a glance.
 */

/** Microseconds with a precision that suits their size (`0.42`, `12.3`, `187`). */
export function micros(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** Milliseconds (`0.41`, `12.3`, `1 234`). */
export function millis(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (Math.abs(value) >= 1000) return grouped(Math.round(value));
  return micros(value);
}

/** A ratio as `1.23×`. */
export function ratio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a';
}

/** An integer with thin grouping (`12 345`). */
export function grouped(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return Math.round(value)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** Bytes as B / KB / MB (decimal units, as `ls` and `du --si` print them). */
export function bytes(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toFixed(2)} GB`;
  if (abs >= 1e6) return `${(value / 1e6).toFixed(2)} MB`;
  if (abs >= 1e4) return `${(value / 1e3).toFixed(1)} KB`;
  return `${Math.round(value)} B`;
}

/** `met (note)` when `ok`, `missed (note)` otherwise. */
export function verdict(ok: boolean, note: string): string {
  return `${ok ? 'met' : 'missed'} (${note})`;
}

/** The leading cells of an overhead row: N, reps, ours, store alone, raw (µs/step), ours/raw, alone/raw. */
export function overheadCells(steps: number, repetitions: number, ours: number, alone: number, raw: number): string[] {
  return [String(steps), String(repetitions), micros(ours), micros(alone), micros(raw), ratio(ours / raw), ratio(alone / raw)];
}
