/**
 * The live timeline: turns the workers' events into one line per step (executed or replayed, how
 * long, how many tokens) plus a progress line, and counts what the proof needs.
 */
import type { RunEvent, StepUsage } from '@cairn/core';
import type { Screen } from './terminal.ts';

/** What one worker did, as its events tell it. */
export interface WorkerTally {
  name: string;
  executed: number;
  replayed: number;
  /** Model calls this worker actually sent (attempts included), journaled or not. */
  modelCallsMade: number;
  /** Model steps returned from the journal without a call. */
  modelCallsReplayed: number;
  tokensSpent: number;
  tokensSaved: number;
  /** Steps started and not ended (what was in flight when the worker stopped). */
  inFlight: Map<string, number>;
  unknownOutcomes: Array<{ stepId: string; policy: string }>;
}

/** The column titles of the step lines. */
export function headerLine(screen: Screen): string {
  return screen.style.dim(
    `  ${'step'.padStart(5)}  ${'id'.padEnd(22)} ${'outcome'.padEnd(8)}  ${'time'.padEnd(12)} ${'tokens'.padEnd(30)} note`,
  );
}

/** Options of `createTimeline`. */
export interface TimelineOptions {
  screen: Screen;
  /** Steps of a complete run when known (the scripted model), for `n/total` and the bar. */
  totalSteps: number | null;
  /** A note for a step that just ended, e.g. what the ledger holds now. */
  noteFor?: (event: Extract<RunEvent, { type: 'step-end' }>) => string | undefined;
}

/** The timeline of one demo. */
export interface Timeline {
  /** Start rendering a worker's events. */
  begin(name: string): WorkerTally;
  event(event: RunEvent): void;
  /** Stop the progress line (a worker ended). */
  pause(): void;
  readonly tallies: WorkerTally[];
}

function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** `1234` → `1 234` (no locale: identical output on every machine). */
export function thousands(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

function tokens(usage: StepUsage | undefined): string {
  return usage ? `${thousands(usage.inputTokens)} in / ${thousands(usage.outputTokens)} out` : '';
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, Math.max(0, max - 1))}…` : flat;
}

/** A timeline writing to `screen`. */
export function createTimeline(options: TimelineOptions): Timeline {
  const { screen, totalSteps } = options;
  const s = screen.style;
  const tallies: WorkerTally[] = [];
  const text = new Map<string, string>();
  let tally: WorkerTally | undefined;
  let position = 0;
  let ticker: NodeJS.Timeout | undefined;
  // The engine reports `replay-end` when the drive ends; the moment replay hands over to real work
  // is the first step that starts for real, so the summary is printed there.
  let replaySummarized = false;
  let replayedTokens = 0;

  function summarizeReplay(t: WorkerTally): void {
    if (replaySummarized || t.replayed === 0) return;
    replaySummarized = true;
    screen.line(
      s.yellow(
        `         ↺ ${t.replayed} steps replayed from the journal in ${t.name}: no model call, no tool call, ${thousands(replayedTokens)} tokens not re-spent`,
      ),
    );
  }

  function progress(): void {
    if (!tally) return;
    const spent = tallies.reduce((n, t) => n + t.tokensSpent, 0);
    const saved = tallies.reduce((n, t) => n + t.tokensSaved, 0);
    const bar =
      totalSteps === null
        ? `step ${position}`
        : `${'█'.repeat(Math.min(position, totalSteps))}${'░'.repeat(Math.max(0, totalSteps - position))} ${position}/${totalSteps}`;
    const running = [...tally.inFlight].map(([id, at]) => `${id} running ${duration(Date.now() - at)}`).join(', ');
    const plain = `  ▸ ${tally.name} ${bar} · ${running || 'between steps'} · ${thousands(spent)} tokens spent · ${thousands(saved)} saved`;
    screen.status(s.cyan(oneLine(plain, screen.columns - 1)));
  }

  function stepLine(event: Extract<RunEvent, { type: 'step-end' }>): string {
    const where = totalSteps === null ? String(position) : `${position}/${totalSteps}`;
    const outcome = event.replayed ? s.yellow('replayed') : s.green('executed');
    const time = event.replayed ? s.dim(`was ${duration(event.durationMs)}`.padEnd(12)) : duration(event.durationMs).padEnd(12);
    const tok = event.usage ? (event.replayed ? s.dim(`${tokens(event.usage)}, not re-spent`) : tokens(event.usage)) : '';
    const said = text.get(event.stepId);
    const reconciled = tally?.unknownOutcomes.some((u) => u.stepId === event.stepId && u.policy === 'reconcile');
    // A reconcile that found the effect records it without an attempt (attempts 0).
    const verdict = reconciled
      ? event.attempts === 0
        ? 'reconciled: found in the ledger, recorded without running again; '
        : 'reconciled: not in the ledger, so it ran (same idempotency key); '
      : '';
    const note = verdict + (options.noteFor?.(event) ?? (said ? `“${said}”` : ''));
    const tokWidth = 30;
    const plainTok = event.usage ? (event.replayed ? `${tokens(event.usage)}, not re-spent` : tokens(event.usage)) : '';
    const head = `  ${where.padStart(5)}  ${event.stepId.padEnd(22)} ${outcome}  ${time} ${tok}${' '.repeat(Math.max(0, tokWidth - plainTok.length))}`;
    const used = 2 + 5 + 2 + 22 + 1 + 8 + 2 + 12 + 1 + tokWidth;
    return note ? `${head} ${s.dim(oneLine(note, Math.max(30, screen.columns - used - 2)))}` : head.trimEnd();
  }

  return {
    tallies,
    begin(name) {
      tally = {
        name,
        executed: 0,
        replayed: 0,
        modelCallsMade: 0,
        modelCallsReplayed: 0,
        tokensSpent: 0,
        tokensSaved: 0,
        inFlight: new Map(),
        unknownOutcomes: [],
      };
      tallies.push(tally);
      position = 0;
      replaySummarized = false;
      replayedTokens = 0;
      text.clear();
      clearInterval(ticker);
      ticker = setInterval(progress, 100);
      ticker.unref();
      return tally;
    },
    pause() {
      clearInterval(ticker);
      ticker = undefined;
      screen.clearStatus();
    },
    event(event) {
      const t = tally;
      if (!t) return;
      switch (event.type) {
        case 'step-start':
          summarizeReplay(t);
          t.inFlight.set(event.stepId, event.at);
          if (event.name === 'model') t.modelCallsMade++;
          break;
        case 'text-delta':
          text.set(event.stepId, (text.get(event.stepId) ?? '') + event.delta);
          break;
        case 'step-retry':
          screen.line(
            s.yellow(
              `         ⟳ ${event.stepId} attempt ${event.attempt} failed (${oneLine(event.error.message, 80)}); retry in ${duration(event.delayMs)}`,
            ),
          );
          break;
        case 'step-unknown':
          summarizeReplay(t);
          t.unknownOutcomes.push({ stepId: event.stepId, policy: event.policy });
          screen.line(
            s.magenta(
              `         ? ${event.stepId} was in flight when the last worker died: its intent is journaled, its result is not → ${event.policy}` +
                (event.policy === 'reconcile' ? ' (look the effect up in the ledger by idempotency key)' : ''),
            ),
          );
          break;
        case 'step-end':
          t.inFlight.delete(event.stepId);
          position++;
          if (event.replayed) t.replayed++;
          else t.executed++;
          if (event.name === 'model' && event.replayed) t.modelCallsReplayed++;
          if (event.usage && event.replayed) {
            replayedTokens += event.usage.inputTokens + event.usage.outputTokens;
            t.tokensSaved += event.usage.inputTokens + event.usage.outputTokens;
          }
          if (event.usage && !event.replayed) t.tokensSpent += event.usage.inputTokens + event.usage.outputTokens;
          screen.line(stepLine(event));
          break;
        case 'step-fail':
          t.inFlight.delete(event.stepId);
          position++;
          screen.line(
            s.red(`  ${String(position).padStart(5)}  ${event.stepId.padEnd(22)} failed: ${oneLine(event.error.message, 100)}`),
          );
          break;
        case 'replay-end':
          // The engine's own count is the authority; the running sum above only feeds the progress line.
          t.tokensSaved = event.savedTokens;
          summarizeReplay(t);
          break;
        case 'run-end':
          screen.line(
            `  ${event.status === 'completed' ? s.green('■') : s.red('■')} run ${event.status}${event.error ? `: ${event.error.message}` : ''}`,
          );
          break;
        default:
          break;
      }
      progress();
    },
  };
}
