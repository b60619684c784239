/**
 * ANSI colours for terminals, and none for pipes, files and `--json`: every function is the
 * identity when colours are off, so output captured by scripts never carries escape codes.
 */
import type { RunStatus } from '@cairn/core';

/** Text styles. */
export interface Style {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  /** A status word in its colour. */
  status(status: RunStatus | string, text?: string): string;
}

const wrap = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

/** Styles on (ANSI) or off (identity). */
export function createStyle(enabled: boolean): Style {
  const same = (text: string) => text;
  const bold = enabled ? wrap(1, 22) : same;
  const dim = enabled ? wrap(2, 22) : same;
  const red = enabled ? wrap(31, 39) : same;
  const green = enabled ? wrap(32, 39) : same;
  const yellow = enabled ? wrap(33, 39) : same;
  const cyan = enabled ? wrap(36, 39) : same;
  const byStatus: Record<string, (text: string) => string> = {
    completed: green,
    failed: red,
    paused: yellow,
    running: cyan,
    cancelled: dim,
  };
  return {
    enabled,
    bold,
    dim,
    red,
    green,
    yellow,
    cyan,
    status: (status, text = status) => (byStatus[status] ?? same)(text),
  };
}

// The escape character, spelled out: a control character inside a regex literal reads as a typo.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** Length of `text` as displayed (escape codes do not take room). */
export function visibleLength(text: string): number {
  return [...text.replace(ANSI, '')].length;
}
