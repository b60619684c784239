/**
 * The Node demo's command line: `pnpm demo -- [options]`. Parsing is strict (an unknown option is
 * an error with the help text), because a demo that silently ignores a typo teaches the wrong thing.
 */
import { fileURLToPath } from 'node:url';

/** What the demo does, after parsing the command line and the environment. */
export interface DemoOptions {
  help: boolean;
  storePath: string;
  /** After which journaled step the first worker is killed: a count (1-based) or a step id / tool name. */
  killAfter: number | string | null;
  model: 'scripted' | 'openai';
  fresh: boolean;
  /** Lease of each worker; a killed worker's lease must run out before another process takes the run. */
  leaseMs: number;
  /** Resume this run instead of starting one. */
  resumeRunId: string | null;
  /** Milliseconds the scripted model "thinks" per call. */
  delayMs: number;
}

/** Where the demo keeps its database unless `--store` says otherwise (git-ignored). */
export const DEFAULT_STORE = fileURLToPath(new URL('../../.tmp/cairn-demo.db', import.meta.url));

/** The default kill point: right after the refund is journaled, while the next model call runs. */
export const DEFAULT_KILL_AFTER = 6;

/** The help text. */
export function helpText(): string {
  return `Cairn Node demo: a support agent (look up the order, check stock, refund, e-mail, summarise)
runs in a worker process on a SQLite store; the demo SIGKILLs the worker mid-run, starts a new
worker that resumes the run, and proves nothing was paid for or done twice.

usage: pnpm demo -- [options]          (from the repo root: bash scripts/run.sh demo -- [options])

options:
  --store <path>         SQLite file of the runs (default demo/.tmp/cairn-demo.db); the side-effect
                         ledger is written beside it (<path>.ledger.jsonl)
  --kill-after <n|step>  SIGKILL the worker just after the nth step is journaled, or after the step
                         named (e.g. lookup_order, tool:issue_refund#0, model#2); the next step is
                         then in flight. Default ${DEFAULT_KILL_AFTER}: right after the refund, during the next model call.
                         Try 5: the refund itself is in flight and gets reconciled from the ledger.
  --no-kill              run to the end in one worker (nothing to replay)
  --model <name>         scripted (offline, deterministic) or openai (needs OPENAI_API_KEY;
                         OPENAI_MODEL, default gpt-4o-mini, and OPENAI_BASE_URL are optional).
                         Default: openai when OPENAI_API_KEY is set, scripted otherwise
  --fresh                delete the store and the ledger first
  --resume <runId>       resume an unfinished run of the store instead of starting one
  --lease-ms <ms>        each worker's lease (default 2000): how long a dead worker blocks the run
  --delay-ms <ms>        how long the scripted model thinks per call (default 450)
  -h, --help             this text

Colours and the live progress line appear only when stdout is a terminal (NO_COLOR turns colours off).`;
}

/** A command line the demo cannot run. */
export class UsageError extends Error {
  override name = 'UsageError';
}

function integer(value: string | undefined, flag: string, min: number): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < min) throw new UsageError(`${flag} needs an integer ≥ ${min}`);
  return n;
}

/** Parse `argv` (without node and the script) and the environment. Throws `UsageError`. */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): DemoOptions {
  const options: DemoOptions = {
    help: false,
    storePath: DEFAULT_STORE,
    killAfter: DEFAULT_KILL_AFTER,
    model: env.OPENAI_API_KEY ? 'openai' : 'scripted',
    fresh: false,
    leaseMs: 2000,
    resumeRunId: null,
    delayMs: 450,
  };
  const args = [...argv];
  // `pnpm demo -- --help` hands the script a literal `--` on some pnpm versions.
  while (args[0] === '--') args.shift();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = (): string => {
      const next = inline ?? args[++i];
      if (next === undefined || next.length === 0) throw new UsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '-h':
      case '--help':
        options.help = true;
        break;
      case '--store':
        options.storePath = value();
        break;
      case '--kill-after': {
        const point = value();
        options.killAfter = /^\d+$/.test(point) ? integer(point, flag, 1) : point;
        break;
      }
      case '--no-kill':
        options.killAfter = null;
        break;
      case '--model': {
        const model = value();
        if (model !== 'scripted' && model !== 'openai')
          throw new UsageError(`--model must be scripted or openai, not "${model}"`);
        options.model = model;
        break;
      }
      case '--fresh':
        options.fresh = true;
        break;
      case '--resume':
        options.resumeRunId = value();
        break;
      case '--lease-ms':
        options.leaseMs = integer(value(), flag, 100);
        break;
      case '--delay-ms':
        options.delayMs = integer(value(), flag, 0);
        break;
      case '--':
        break;
      default:
        throw new UsageError(`unknown option "${arg}"`);
    }
  }
  if (options.model === 'openai' && !env.OPENAI_API_KEY)
    throw new UsageError('--model openai needs OPENAI_API_KEY in the environment');
  return options;
}
