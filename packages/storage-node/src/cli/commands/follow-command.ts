/**
 * `cairn follow <runId> [--from-seq n] [--timeout duration]`: print a run's events as they are
 * journaled, from its start (or `--from-seq`), until it ends (ADR 0123). Another process drives the
 * run; this one only reads the journal (`handle.events({ fromSeq })`), so following spends nothing.
 */
import { type DurableRunEvent, formatEvent } from '@cairn/core';
import { UsageError } from '../cli-errors.ts';
import type { Command } from '../command.ts';
import { parseDuration } from '../duration.ts';
import { displayText, jsonText } from '../format/terminal-text.ts';
import { runIdArgument } from '../run-id-argument.ts';

/** Thrown when `--timeout` passes before the run ends (exit code 1). */
class FollowTimeoutError extends Error {
  readonly code = 'timeout';
}

function fromSeqOption(text: string | undefined): number {
  if (text === undefined) return 1;
  if (!/^\d{1,15}$/.test(text))
    throw new UsageError(`--from-seq: expected a journal seq (a whole number), got ${JSON.stringify(text.slice(0, 40))}`);
  return Number(text);
}

/** One human line: the seq, then the event as `debug: true` prints it, without the run id. */
function humanLine(event: DurableRunEvent): string {
  const text = formatEvent(event).replace(`[cairn] ${event.runId}`, '').trimEnd();
  return displayText(`${event.seq === undefined ? '     ' : String(event.seq).padStart(5)}${text}`);
}

/** `cairn follow <runId>` */
export const followCommand: Command = {
  name: 'follow',
  summary: "Print a run's events live, from its journal, until it ends",
  positionals: ['runId'],
  readOnly: true,
  options: {
    'from-seq': { type: 'string', value: '<n>', help: 'start at this journal seq (default 1: the whole history)' },
    timeout: { type: 'string', value: '<duration>', help: 'give up after this long (30s, 15m…): exit 1' },
  },
  details: [
    'Events come from the journal, each with its seq: stop at any time and go on with --from-seq <last seq + 1>.',
    'A paused run is followed until it ends (approve or signal it from elsewhere), or until --timeout.',
    'JSON: one event object per line (JSON Lines, a stream), each with "seq"; the last is the run-end.',
    'Exit codes: 0 the run completed, 1 it failed or was cancelled (or --timeout passed), 3 no such run.',
  ],
  async run({ io, json, values, positionals, runtime }) {
    const runId = runIdArgument(positionals[0]);
    const fromSeq = fromSeqOption(values['from-seq'] as string | undefined);
    const timeoutMs = values.timeout === undefined ? undefined : parseDuration(values.timeout as string, '--timeout');
    const iterator = runtime().handle(runId).events({ fromSeq })[Symbol.asyncIterator]();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired =
      timeoutMs === undefined
        ? undefined
        : new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new FollowTimeoutError(`[@cairn/storage-node] run "${runId}" did not end within ${values.timeout}`)),
              timeoutMs,
            );
          });
    try {
      // The stream ends after the run's last run-end (a failed run retried in place goes on).
      for (;;) {
        const step = await (expired ? Promise.race([iterator.next(), expired]) : iterator.next());
        if (step.done) break;
        io.out(json ? jsonText(step.value, 0) : humanLine(step.value));
      }
      return (await runtime().get(runId)).status === 'completed' ? 0 : 1;
    } finally {
      clearTimeout(timer);
      await iterator.return?.();
    }
  },
};
