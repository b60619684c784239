/**
 * How the demo writes to the terminal: colours and a redrawn progress line only when stdout is a
 * TTY (and NO_COLOR is unset), plain lines otherwise, so CI logs and piped output stay readable.
 */

/** Colour helpers; each is the identity when colours are off. */
export interface Style {
  readonly color: boolean;
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  cyan(text: string): string;
  magenta(text: string): string;
}

/** Whether a stream gets colours: a TTY, no NO_COLOR, no TERM=dumb; FORCE_COLOR forces them. */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** A style with or without ANSI colours. */
export function createStyle(color: boolean): Style {
  const paint =
    (open: number, close: number) =>
    (text: string): string =>
      color ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    color,
    bold: paint(1, 22),
    dim: paint(2, 22),
    green: paint(32, 39),
    yellow: paint(33, 39),
    red: paint(31, 39),
    cyan: paint(36, 39),
    magenta: paint(35, 39),
  };
}

/** Writes lines, keeping one status line at the bottom when the output is a terminal. */
export interface Screen {
  readonly style: Style;
  readonly columns: number;
  line(text?: string): void;
  /** Replace the status line (ignored when not a terminal). */
  status(text: string): void;
  /** Remove the status line for good. */
  clearStatus(): void;
}

/** A screen over `stream`. */
export function createScreen(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): Screen {
  const live = stream.isTTY === true && env.TERM !== 'dumb' && !env.CI;
  const style = createStyle(wantsColor(stream, env));
  let current = '';
  const erase = (): void => {
    if (live && current) stream.write('\r\u001b[2K');
  };
  return {
    style,
    // Not a terminal: no width to respect, but keep lines a log viewer can show.
    columns: live && stream.columns > 40 ? stream.columns : 180,
    line(text = '') {
      erase();
      stream.write(`${text}\n`);
      if (live && current) stream.write(current);
    },
    status(text) {
      if (!live) return;
      erase();
      current = text.length > 0 ? text : '';
      stream.write(current);
    },
    clearStatus() {
      erase();
      current = '';
    },
  };
}
