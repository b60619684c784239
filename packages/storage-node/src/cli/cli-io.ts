/**
 * What a command writes to and reads from, so commands never touch `process` directly.
 */
import { createStyle, type Style } from './format/style.ts';

/** Output streams, environment and clock of one CLI invocation. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly style: Style;
  now(): number;
}

/** The real process: stdout/stderr, colours only on a TTY (NO_COLOR and FORCE_COLOR honoured). */
export function processIo(): CliIo {
  const env = process.env;
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0';
  const colour = forced || (process.stdout.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb');
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    env,
    style: createStyle(colour),
    now: () => Date.now(),
  };
}
