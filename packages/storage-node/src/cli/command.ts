/**
 * The shape of a `cairn` command: its options, positionals, help text and body. The dispatcher
 * (`main.ts`) parses the command line against it, opens the store lazily and closes what it opened.
 */
import type { DurableStore, Runtime, Workflow } from '@cairn/core';
import type { CliIo } from './cli-io.ts';
import { jsonText } from './format/terminal-text.ts';

/** One option of a command. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder shown in help (`<n>`). */
  value?: string;
  help: string;
}

/** What a command body gets. */
export interface CommandContext {
  io: CliIo;
  /** `--json`: print one JSON document on stdout, no colours. */
  json: boolean;
  values: Readonly<Record<string, string | boolean | undefined>>;
  positionals: readonly string[];
  /** The store named by `--store` / `CAIRN_STORE` (must exist); opened on first use. */
  store(): DurableStore;
  /** A runtime over that store (with `workflows` when the command drives runs); closed afterwards. */
  // biome-ignore lint/suspicious/noExplicitAny: workflows of any input and output types
  runtime(workflows?: Workflow<any, any>[]): Runtime;
}

/** A command. */
export interface Command {
  name: string;
  summary: string;
  /** Positional arguments, all required, in order (`runId`, `approvalId`). */
  positionals: readonly string[];
  /** The positionals may be left out altogether (e.g. `retry --all-failed`); the command checks. */
  positionalsOptional?: boolean;
  options: Readonly<Record<string, OptionSpec>>;
  /** The command needs no store with these options (`ui --url`): `--store` is not required. */
  storeless?: (values: Readonly<Record<string, string | boolean | undefined>>) => boolean;
  /** The command only reads the store: it is opened without migrating (ADR 0028). */
  readOnly?: boolean;
  /** Extra help paragraphs (examples, JSON shape, exit codes specific to the command). */
  details: readonly string[];
  run(context: CommandContext): Promise<number>;
}

/** Print `value` as the command's JSON document (C1 and bidi characters escaped too, ADR 0029). */
export function printJson(io: CliIo, value: unknown): void {
  io.out(jsonText(value));
}
