/**
 * What the integrity checks of both stores report (for the crash-torture harness and the CLI).
 */

/** Result of `checkSqliteIntegrity` or `checkFileStoreIntegrity`. */
export interface IntegrityReport {
  /** True when no problem was found. */
  ok: boolean;
  /** Runs examined. */
  runs: number;
  /** Journal entries examined. */
  entries: number;
  /** Human-readable problems (at most `MAX_PROBLEMS`; each names the run it is about). */
  problems: string[];
  /** Harmless findings: torn tails left by crashes, leftovers a later write or open cleans up. */
  notes: string[];
}

/** Problems listed at most; past it, one line says how many more there were. */
export const MAX_PROBLEMS = 100;

/** A report builder that caps its lists. */
export function reportBuilder(): {
  problem(text: string): void;
  note(text: string): void;
  finish(runs: number, entries: number): IntegrityReport;
} {
  const problems: string[] = [];
  const notes: string[] = [];
  let dropped = 0;
  return {
    problem(text) {
      if (problems.length < MAX_PROBLEMS) problems.push(text);
      else dropped++;
    },
    note(text) {
      if (notes.length < MAX_PROBLEMS) notes.push(text);
    },
    finish(runs, entries) {
      if (dropped > 0) problems.push(`… and ${dropped} more problems`);
      return { ok: problems.length === 0, runs, entries, problems, notes };
    },
  };
}
