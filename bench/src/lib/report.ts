/**
 * The report: markdown sections that are printed as they are produced and collected for
 * `bench/RESULTS.md`, so the file holds exactly what the terminal showed.
 */

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
