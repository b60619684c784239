/**
 * The Node demo (`pnpm demo`): start the support agent's run in a worker process, SIGKILL that
 * worker mid-run, start another worker that resumes the run, and prove from the store and the
 * ledger that nothing was done or paid for twice. `pnpm demo -- --help` for the options.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newRunId, type RunEvent } from '@cairn/core';
import { CUSTOMER_MESSAGE } from '../shared/support-data.ts';
import { SCRIPTED_STEP_COUNT } from '../shared/support-script.ts';
import { ledgerPathOf, readLedgerFile } from './file-ledger.ts';
import { type DemoOptions, helpText, parseOptions, UsageError } from './options.ts';
import { printProof, readRunFacts } from './proof.ts';
import { killAllWorkers, spawnWorker, type WorkerExit } from './spawn-worker.ts';
import { createScreen, type Screen } from './terminal.ts';
import { createTimeline, headerLine, type Timeline } from './timeline.ts';
import type { WorkerArgs } from './worker-protocol.ts';

const screen = createScreen(process.stdout, process.env);
// The `cairn` command of this repository, to read the journal the demo leaves behind.
const CLI = fileURLToPath(new URL('../../../packages/storage-node/bin/cairn.mjs', import.meta.url));
const s = screen.style;
const shown = (path: string): string => relative(process.env.INIT_CWD ?? process.cwd(), path) || path;

function matchesKillPoint(point: number | string, event: Extract<RunEvent, { type: 'step-end' }>, executed: number): boolean {
  if (typeof point === 'number') return executed === point;
  return [event.stepId, event.name, event.name.replace(/^tool:/, '')].includes(point);
}

/** What the ledger holds for this run after a tool step, shown beside the step. */
function ledgerNote(ledgerPath: string, runId: string, event: Extract<RunEvent, { type: 'step-end' }>): string | undefined {
  const kind = event.name === 'tool:issue_refund' ? 'refund' : event.name === 'tool:send_email' ? 'email' : null;
  if (!kind) return undefined;
  const count = readLedgerFile(ledgerPath).filter((effect) => effect.runId === runId && effect.kind === kind).length;
  const what = `${count} ${kind === 'refund' ? 'refund' : 'e-mail'}${count === 1 ? '' : 's'}`;
  return event.replayed ? `ledger still holds ${what}: not done again` : `ledger now holds ${what} for this run`;
}

interface WorkerOutcome {
  exit: WorkerExit;
  killedDuring: string[];
  result?: { status: string; output?: string };
  error?: string;
}

/** Run one worker to its end (or to the kill point), rendering its events. */
async function runWorker(timeline: Timeline, args: WorkerArgs, killAfter: number | string | null): Promise<WorkerOutcome> {
  const tally = timeline.begin(args.name);
  let executed = 0;
  let kill: 'waiting' | 'armed' | 'fired' = killAfter === null ? 'fired' : 'waiting';
  const outcome: Omit<WorkerOutcome, 'exit' | 'killedDuring'> = {};
  const worker = spawnWorker(args, (message, self) => {
    switch (message.type) {
      case 'hello':
        screen.line(
          s.bold(`▶ ${args.name}`) +
            s.dim(` · pid ${message.pid} · lease owner "${message.owner}" · `) +
            (message.mode === 'start' ? `starts run ${message.runId}` : `resumes run ${message.runId}`),
        );
        if (timeline.tallies.length === 1) screen.line(headerLine(screen));
        break;
      case 'lease-found':
        screen.line(
          message.waitMs > 0
            ? s.yellow(
                `  ⏳ the run is still leased to "${message.owner}" for ${(message.waitMs / 1000).toFixed(1)} s; waiting. `,
              ) + s.dim('A killed process cannot release its lease: it runs out (--lease-ms).')
            : s.yellow(
                `  ⏳ the lease of "${message.owner}" ran out ${(-message.waitMs / 1000).toFixed(1)} s ago; taking the run over. `,
              ) + s.dim('A killed process cannot release its lease: it runs out (--lease-ms).'),
        );
        break;
      case 'event':
        timeline.event(message.event);
        if (kill === 'waiting' && message.event.type === 'step-end' && !message.event.replayed) {
          executed++;
          if (killAfter !== null && matchesKillPoint(killAfter, message.event, executed)) kill = 'armed';
        } else if (kill === 'armed' && message.event.type === 'step-start') {
          // The next step is under way: let it do some work (a model "thinking", a refund
          // half-written), then kill the worker in the middle of it.
          kill = 'fired';
          setTimeout(() => self.kill(), 60);
        }
        break;
      case 'result':
        outcome.result = message;
        break;
      case 'error':
        outcome.error = message.code ? `${message.code}: ${message.message}` : message.message;
        break;
    }
  });
  const exit = await worker.exited;
  timeline.pause();
  return { exit, killedDuring: [...tally.inFlight.keys()], ...outcome };
}

async function main(options: DemoOptions): Promise<number> {
  const storePath = options.storePath;
  const ledgerPath = ledgerPathOf(storePath);
  mkdirSync(dirname(storePath), { recursive: true });
  if (options.fresh)
    for (const path of [storePath, `${storePath}-wal`, `${storePath}-shm`, ledgerPath]) rmSync(path, { force: true });
  const runId = options.resumeRunId ?? newRunId(Date.now());
  const totalSteps = options.model === 'scripted' ? SCRIPTED_STEP_COUNT : null;

  screen.line(
    s.bold('Cairn demo') +
      (options.killAfter === null
        ? ' · a support agent on a durable store (no kill this time)'
        : ' · a support agent, killed mid-run, resumed by a new process'),
  );
  screen.line();
  screen.line(`  ${s.dim('task  ')}  “${CUSTOMER_MESSAGE}”`);
  screen.line(
    `  ${s.dim('model ')}  ${
      options.model === 'scripted'
        ? 'scripted (offline, deterministic; set OPENAI_API_KEY for a real model)'
        : `openai ${process.env.OPENAI_MODEL || 'gpt-4o-mini'}${process.env.OPENAI_BASE_URL ? ` at ${process.env.OPENAI_BASE_URL}` : ''}`
    }`,
  );
  screen.line(`  ${s.dim('store ')}  SQLite ${shown(storePath)}`);
  screen.line(
    `  ${s.dim('ledger')}  ${shown(ledgerPath)} ${s.dim('(the outside world: refunds and e-mails, appended blindly)')}`,
  );
  screen.line(
    `  ${s.dim('kill  ')}  ${
      options.killAfter === null
        ? 'none (--no-kill)'
        : `SIGKILL the worker just after ${typeof options.killAfter === 'number' ? `step ${options.killAfter}` : options.killAfter} is journaled`
    }`,
  );
  screen.line();

  const timeline = createTimeline({ screen, totalSteps, noteFor: (event) => ledgerNote(ledgerPath, runId, event) });
  const base = { runId, storePath, ledgerPath, model: options.model, delayMs: options.delayMs, leaseMs: options.leaseMs };
  const first = await runWorker(
    timeline,
    { ...base, mode: options.resumeRunId ? 'resume' : 'start', name: 'worker 1' },
    options.killAfter,
  );
  let killed = false;
  if (first.exit.killed && first.exit.signal === 'SIGKILL') {
    killed = true;
    screen.line(
      s.red(s.bold(`✖ SIGKILL worker 1`)) +
        (first.killedDuring.length > 0
          ? ` while ${first.killedDuring.join(', ')} ${first.killedDuring.length === 1 ? 'was' : 'were'} in flight ${s.dim('(started, not journaled)')}`
          : ' between two steps'),
    );
    screen.line();
    const second = await runWorker(timeline, { ...base, mode: 'resume', name: 'worker 2' }, null);
    if (second.error || second.exit.code !== 0) return failed('worker 2', second);
  } else if (first.error || first.exit.code !== 0) {
    return failed('worker 1', first);
  } else if (options.killAfter !== null) {
    screen.line(s.yellow(`  the run ended before the kill point (${options.killAfter}); nothing was killed`));
  }

  const facts = await readRunFacts(storePath, ledgerPath, runId);
  const ok = printProof(screen, facts, timeline.tallies, killed);
  screen.line();
  screen.line(
    s.dim(
      `Run it again: pnpm demo -- --kill-after 5 (kill during the refund) · --no-kill · --help. Runs are kept in ${shown(storePath)} (--fresh clears it).`,
    ),
  );
  if (existsSync(CLI))
    screen.line(s.dim(`Read the journal: node ${shown(CLI)} history ${runId} --store sqlite:${shown(storePath)}`));
  return ok ? 0 : 1;
}

function failed(name: string, outcome: WorkerOutcome): number {
  screen.line(s.red(`✖ ${name} failed: ${outcome.error ?? `exit code ${outcome.exit.code}, signal ${outcome.exit.signal}`}`));
  if (outcome.exit.stderr.trim()) screen.line(s.dim(outcome.exit.stderr.trim()));
  return 1;
}

function report(screen: Screen, error: unknown): number {
  screen.clearStatus();
  if (error instanceof UsageError) {
    process.stderr.write(`pnpm demo: ${error.message}\nTry pnpm demo -- --help\n`);
    return 2;
  }
  process.stderr.write(`pnpm demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAllWorkers();
    screen.clearStatus();
    process.stderr.write(`\ninterrupted: the run stays in the store; resume it with pnpm demo -- --resume <runId>\n`);
    process.exit(130);
  });
}

let code: number;
try {
  const options = parseOptions(process.argv.slice(2), process.env);
  if (options.help) {
    process.stdout.write(`${helpText()}\n`);
    code = 0;
  } else code = await main(options);
} catch (error) {
  killAllWorkers();
  code = report(screen, error);
}
process.exitCode = code;
