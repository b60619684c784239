/**
 * `cairn serve --workflows <module> [--concurrency n] [--poll-ms n]`: the worker loop in this
 * process until SIGINT or SIGTERM — takes over runs of dead or stopped processes, wakes due runs,
 * drives queued ones — then drains, releases its leases and exits 0.
 */
import { UsageError } from '../cli-errors.ts';
import type { Command } from '../command.ts';
import { jsonText } from '../format/terminal-text.ts';
import { loadWorkflows } from '../load-workflows.ts';
import { positiveInteger } from './option-values.ts';

/** `cairn serve …` */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'Drive runs in this process until stopped (SIGINT/SIGTERM)',
  positionals: [],
  options: {
    workflows: { type: 'string', value: '<module>', help: 'required: module exporting the workflows or agents' },
    concurrency: { type: 'string', value: '<n>', help: 'most runs driven at once (default 10)' },
    'poll-ms': { type: 'string', value: '<n>', help: 'how often to look for work (default 1000)' },
    'drain-ms': { type: 'string', value: '<n>', help: 'on stop, wait this long for runs to settle (default 10000)' },
  },
  details: [
    'Several `cairn serve` processes (and runtimes calling serve()) can share one store: each run is',
    'driven by one of them at a time. Each run taken or ended is printed as a line (--json: one JSON',
    'object per line: { "event": "taken"|"ended", "runId", "status"? }), then { "event": "stopped" }.',
  ],
  async run({ io, json, values, runtime }) {
    if (typeof values.workflows !== 'string') throw new UsageError('serve needs --workflows <module>');
    const concurrency =
      values.concurrency === undefined ? undefined : positiveInteger('--concurrency', values.concurrency, 10_000);
    const pollMs = values['poll-ms'] === undefined ? undefined : positiveInteger('--poll-ms', values['poll-ms'], 3_600_000);
    const drainMs = values['drain-ms'] === undefined ? 10_000 : Number(values['drain-ms']);
    if (!Number.isFinite(drainMs) || drainMs < 0) throw new UsageError('--drain-ms: expected a number of ms ≥ 0');
    const workflows = await loadWorkflows(values.workflows);
    const rt = runtime(workflows);
    const say = (line: { event: string; runId?: string; status?: string }): void => {
      // One event per line (JSON Lines), like `cairn follow --json` (ADR 0123).
      if (json) io.out(jsonText(line, 0));
      else io.out(line.runId ? `${line.event} ${line.runId}${line.status ? ` ${line.status}` : ''}` : line.event);
    };
    const server = rt.serve({
      ...(concurrency !== undefined ? { concurrency } : {}),
      ...(pollMs !== undefined ? { pollMs } : {}),
      onError: (error, runId) => io.err(`${runId}: ${(error as Error).message}`),
      onRun: ({ type, runId }) => {
        if (type === 'taken') return say({ event: 'taken', runId });
        void rt.get(runId).then(
          (info) => say({ event: 'ended', runId, status: info.status }),
          () => say({ event: 'ended', runId }),
        );
      },
    });
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.stop({ drainMs });
    say({ event: 'stopped' });
    return 0;
  },
};
