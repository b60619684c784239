/**
 * `cairn`: the command line of @cairn/storage-node (ADR 0093). `bin/cairn.mjs` calls `runCli`.
 *
 * Invariants:
 * - nothing is created: a store that does not exist is reported (exit 3), never made empty;
 * - the exit code says what happened: 0 ok, 1 runtime failure, 2 usage error, 3 not found;
 * - with `--json`, stdout holds exactly one JSON document and errors are JSON on stderr;
 * - whatever a command opened (store, runtime) is closed before returning.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { createRuntime, type DurableStore, type Runtime } from '@cairn/core';
import { EXIT, exitCodeOf, StoreNotFoundError, UsageError } from './cli-errors.ts';
import { type CliIo, processIo } from './cli-io.ts';
import type { Command, CommandContext, OptionSpec } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import { createStyle } from './format/style.ts';
import { displayText, jsonText, safeLine } from './format/terminal-text.ts';
import { commandHelp, GLOBAL_OPTIONS, overviewHelp } from './help-text.ts';
import { openExistingStore, storeSpecOf } from './open-cli-store.ts';

/** The package's version (src/cli and dist/cli both sit two levels below package.json). */
const CLI_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

type ParsedValues = Record<string, string | boolean | undefined>;

function parseOptions(options: Readonly<Record<string, OptionSpec>>) {
  return Object.fromEntries(
    Object.entries(options).map(([name, spec]) => [name, { type: spec.type, ...(spec.short ? { short: spec.short } : {}) }]),
  );
}

/** Where the command name is: the first positional of a lenient parse. */
function findCommand(argv: readonly string[]): { name: string | undefined; index: number } {
  const { tokens } = parseArgs({
    args: [...argv],
    options: parseOptions(GLOBAL_OPTIONS),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const first = tokens.find((token) => token.kind === 'positional');
  return first?.kind === 'positional' ? { name: first.value, index: first.index } : { name: undefined, index: -1 };
}

function parseCommandLine(command: Command, args: string[]): { values: ParsedValues; positionals: string[] } {
  try {
    const parsed = parseArgs({
      args,
      options: parseOptions({ ...GLOBAL_OPTIONS, ...command.options }),
      strict: true,
      allowPositionals: true,
      allowNegative: true,
    });
    return { values: parsed.values as ParsedValues, positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError(`${command.name}: ${(error as Error).message}`);
  }
}

function reportError(io: CliIo, error: unknown, json: boolean, command: Command | undefined): number {
  const code = exitCodeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (json) {
    // The CLI's own refusals get their own codes; everything else carries its Cairn error code.
    const cairnCode = (error as { code?: unknown }).code;
    const errorCode =
      error instanceof UsageError
        ? 'usage'
        : error instanceof StoreNotFoundError
          ? 'store-not-found'
          : typeof cairnCode === 'string'
            ? cairnCode
            : 'internal';
    io.err(jsonText({ error: { code: errorCode, message, exitCode: code } }, 0));
    return code;
  }
  // Messages quote ids, names and paths that may hold control characters: shown escaped.
  io.err(`${io.style.red('error:')} ${displayText(message)}`);
  if (code === EXIT.usage) io.err(`Run "cairn ${command ? `${command.name} ` : ''}--help" for usage.`);
  if (code === EXIT.failure && !(error as { code?: unknown }).code && io.env.CAIRN_DEBUG) io.err(String((error as Error).stack));
  return code;
}

/**
 * Run `cairn` with `argv` (without `node` and the script); resolves to the exit code.
 *
 * @example
 * process.exitCode = await runCli(['list', '--store', 'sqlite:./cairn.db', '--status', 'paused']);
 */
export async function runCli(argv: readonly string[], baseIo: CliIo = processIo()): Promise<number> {
  // The last guard before the terminal (ADR 0029): formatters escape run content; whatever they
  // missed loses its control characters here (only newlines and our own colours pass).
  let io: CliIo = { ...baseIo, out: (text) => baseIo.out(safeLine(text)), err: (text) => baseIo.err(safeLine(text)) };
  const json = argv.includes('--json');
  if (json) io = { ...io, style: createStyle(false) };
  const { name, index } = findCommand(argv);
  if (name === undefined && (argv.includes('--version') || argv.includes('-v'))) {
    io.out(json ? JSON.stringify({ name: '@cairn/storage-node', version: CLI_VERSION }) : `cairn ${CLI_VERSION}`);
    return EXIT.ok;
  }
  const rest = argv.filter((_, i) => i !== index);
  if (name === undefined || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === findCommand(rest).name) : undefined;
    const asked = name === 'help' || argv.includes('--help') || argv.includes('-h');
    (asked ? io.out : io.err)(topic ? commandHelp(topic) : overviewHelp(COMMANDS));
    return asked ? EXIT.ok : EXIT.usage;
  }
  const command = COMMANDS.find((c) => c.name === name);
  let store: DurableStore | undefined;
  let runtime: Runtime | undefined;
  try {
    if (!command)
      throw new UsageError(
        `unknown command ${JSON.stringify(name.slice(0, 40))}; commands: ${COMMANDS.map((c) => c.name).join(', ')}`,
      );
    const { values, positionals } = parseCommandLine(command, rest);
    if (values.color !== undefined && !json) io = { ...io, style: createStyle(values.color === true) };
    if (values.help === true) {
      io.out(commandHelp(command));
      return EXIT.ok;
    }
    if (positionals.length !== command.positionals.length && !(command.positionalsOptional && positionals.length === 0)) {
      const wanted = command.positionals.map((p) => `<${p}>`).join(' ') || 'no arguments';
      throw new UsageError(
        `${command.name} takes ${wanted}, got ${positionals.length === 0 ? 'none' : positionals.map((p) => JSON.stringify(p.slice(0, 40))).join(' ')}`,
      );
    }
    // Validate the store spec before anything else, so usage errors win over missing runs.
    const spec = command.storeless?.(values) ? undefined : storeSpecOf(values.store as string | undefined, io.env);
    const openStore = (): DurableStore => {
      if (!spec) throw new UsageError(`${command.name}: no store with these options`);
      store ??= openExistingStore(spec, { readOnly: command.readOnly === true });
      return store;
    };
    const context: CommandContext = {
      io,
      json,
      values,
      positionals,
      store: openStore,
      runtime(workflows = []) {
        runtime ??= createRuntime({
          store: openStore(),
          workflows,
          owner: `cairn-cli:${hostname()}:${process.pid}`,
          pollMs: 100,
        });
        return runtime;
      },
    };
    return await command.run(context);
  } catch (error) {
    return reportError(io, error, json, command);
  } finally {
    await runtime?.close().catch(() => undefined);
    await store?.close().catch(() => undefined);
  }
}
