/**
 * The report: markdown sections that are printed as they are produced and collected for
 * `bench/RESULTS.md`, so the file holds exactly what the terminal showed.
 */
import { micros, ratio, verdict } from './format.ts';

/** A markdown table. Cells are already formatted strings. */
export interface Table {
  headers: string[];
  rows: string[][];
}

/** Render a table as GitHub markdown, numeric-looking columns right-aligned. */
export function renderTable(table: Table): string {
  const numeric = table.headers.map((_, column) =>
    table.rows.every((row) => /^[-\d.,\s×%µmsKMGB/()]+$|^n\/a$/.test(row[column] ?? '')),
  );
  const line = (cells: string[]): string => `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
  const rule = table.headers.map((_, column) => (numeric[column] ? '---:' : '---'));
  return [line(table.headers), `|${rule.join('|')}|`, ...table.rows.map(line)].join('\n');
}

/** One DESIGN §8 budget as measured. */
export interface BudgetLine {
  budget: string;
  target: string;
  measured: string;
  met: boolean;
}

/** Collects the report and echoes each part to stdout. */
export interface Report {
  heading(level: 2 | 3, text: string): void;
  paragraph(text: string): void;
  table(table: Table): void;
  /** Record a budget verdict for the summary table at the end. */
  budget(line: BudgetLine): void;
  readonly budgets: readonly BudgetLine[];
  /** Everything so far, as markdown. */
  markdown(): string;
}

/** Create a report that also prints to `write` (stdout by default). */
export function createReport(write: (text: string) => void = (text) => process.stdout.write(text)): Report {
  const parts: string[] = [];
  const budgets: BudgetLine[] = [];
  const add = (text: string): void => {
    parts.push(text);
    write(`${text}\n\n`);
  };
  return {
    heading: (level, text) => add(`${'#'.repeat(level)} ${text}`),
    paragraph: (text) => add(text),
    table: (table) => add(renderTable(table)),
    budget: (line) => budgets.push(line),
    budgets,
    markdown: () => `${parts.join('\n\n')}\n`,
  };
}

/**
 * Record the DESIGN §8 budget "ours ≤ 1.3× the raw backend" (µs per step) under `budget`; returns
 * the verdict cell of the table row.
 */
export function overheadBudget(report: Report, budget: string, ours: number, raw: number): string {
  const met = ours / raw <= 1.3;
  report.budget({ budget, target: '≤ 1.30× raw', measured: `${ratio(ours / raw)} (${micros(ours)} vs ${micros(raw)} µs)`, met });
  return verdict(met, `${ratio(ours / raw)} vs 1.30×`);
}
