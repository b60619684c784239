/**
 * Aligned text tables: a header row and left- or right-aligned columns, two spaces apart, no
 * borders (readable in a terminal, greppable in a log). Cells may carry colour codes.
 */
import { visibleLength } from './style.ts';

/** A column: its title and alignment (numbers read best right-aligned). */
export interface Column {
  title: string;
  align?: 'left' | 'right';
}

/** The lines of a table (header first). Trailing spaces are trimmed. */
export function formatTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  header = (t: string) => t,
): string[] {
  const widths = columns.map((column, index) =>
    Math.max(visibleLength(column.title), ...rows.map((row) => visibleLength(row[index] ?? ''))),
  );
  const line = (cells: readonly string[], style?: (text: string) => string) =>
    cells
      .map((cell, index) => {
        const pad = ' '.repeat(Math.max(0, widths[index]! - visibleLength(cell)));
        const text = style ? style(cell) : cell;
        return columns[index]?.align === 'right' ? pad + text : text + pad;
      })
      .join('  ')
      .trimEnd();
  return [
    line(
      columns.map((column) => column.title),
      header,
    ),
    ...rows.map((row) => line(row)),
  ];
}
