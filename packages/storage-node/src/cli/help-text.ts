/**
 * Help texts: the overview (`cairn --help`) and one page per command (`cairn <command> --help`).
 */
import type { Command, OptionSpec } from './command.ts';

/** Options every command takes. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  store: { type: 'string', value: '<spec>', help: 'sqlite:PATH, file:DIR or redis://HOST[:PORT][/DB] (default: $CAIRN_STORE)' },
  json: { type: 'boolean', help: 'print one JSON document (stable shapes, no colours)' },
  color: { type: 'boolean', help: 'force colours on (--no-color: off); default: on for a terminal' },
  help: { type: 'boolean', short: 'h', help: 'show help' },
};

const EXIT_CODES = ['Exit codes: 0 ok, 1 runtime failure, 2 usage error, 3 not found (store, run or approval).'];

function optionLines(options: Readonly<Record<string, OptionSpec>>): string[] {
  const entries = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` ${spec.value}` : ''}`;
    return [flag, spec.help] as const;
  });
  const width = Math.max(0, ...entries.map(([flag]) => flag.length));
  return entries.map(([flag, help]) => `  ${flag.padEnd(width)}  ${help}`);
}

/** `cairn <name> <positionals> [options]`. */
export function usageLine(command: Command): string {
  const positionals = command.positionals.map((name) => `<${name}>`).join(' ');
  const options = Object.entries(command.options).map(([name, spec]) => `[--${name}${spec.value ? ` ${spec.value}` : ''}]`);
  return ['cairn', command.name, positionals, ...options].filter(Boolean).join(' ');
}

/** The overview. */
export function overviewHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'cairn — inspect and manage the runs in a Cairn store',
    '',
    'Usage: cairn <command> [arguments] --store sqlite:PATH|file:DIR [--json]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options of every command:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'Run "cairn <command> --help" for its options.',
    ...EXIT_CODES,
  ].join('\n');
}

/** One command's page. */
export function commandHelp(command: Command): string {
  const options = Object.keys(command.options).length > 0 ? ['', 'Options:', ...optionLines(command.options)] : [];
  return [
    `${command.summary}.`,
    '',
    `Usage: ${usageLine(command)}`,
    ...options,
    '',
    'Options of every command:',
    ...optionLines(GLOBAL_OPTIONS),
    ...(command.details.length > 0 ? ['', ...command.details] : []),
    '',
    ...EXIT_CODES,
  ].join('\n');
}
