/**
 * `cairn retry <runId> --workflows <module>` and `cairn retry --all-failed --workflows <module>`:
 * continue failed runs in place (`runtime.retry` / `retryAll`) and wait until they settle.
 */
import type { RunInfo } from '@cairn/core';
import { UsageError } from '../cli-errors.ts';
import { type Command, printJson } from '../command.ts';
import { printRunDetails } from '../format/run-details.ts';
import { forDisplay } from '../format/terminal-text.ts';
import { loadWorkflows } from '../load-workflows.ts';
import { runIdArgument } from '../run-id-argument.ts';
import { positiveInteger } from './option-values.ts';

/** `cairn retry …` */
export const retryCommand: Command = {
  name: 'retry',
  summary: 'Retry a failed run in place (or every failed run) and wait until it settles',
  positionals: ['runId'],
  positionalsOptional: true,
  options: {
    workflows: { type: 'string', value: '<module>', help: 'required: module exporting the workflows or agents' },
    'all-failed': { type: 'boolean', help: "retry every failed run of the module's workflows instead of one" },
    workflow: { type: 'string', value: '<name>', help: 'with --all-failed: only runs of this workflow' },
    limit: { type: 'string', value: '<n>', help: 'with --all-failed: at most n runs' },
    by: { type: 'string', value: '<name>', help: 'who retries, for the journal (default: cli)' },
    reason: { type: 'string', value: '<text>', help: 'why, for the journal' },
  },
  details: [
    'The run keeps its id: completed steps are replayed from the journal, the failed step runs again',
    '(a once step with its original idempotency key). The retry is journaled (run-retry: by, reason,',
    'attempt) and shown by cairn history. A cancelled run cannot be retried (fork it instead).',
    'Exit code 0 when every retried run completed or paused, 1 when one failed again or could not be',
    'retried (e.g. cancelled), 3 when the run does not exist.',
    'JSON (one run): the settled run (RunInfo). With --all-failed: { "retried": RunInfo[], "failed": [{ "runId", "error" }] }.',
  ],
  async run({ io, json, values, positionals, runtime }) {
    const all = values['all-failed'] === true;
    if (all === positionals.length > 0) throw new UsageError('retry takes either a <runId> or --all-failed');
    if (!all && (values.workflow !== undefined || values.limit !== undefined))
      throw new UsageError('--workflow and --limit go with --all-failed');
    if (typeof values.workflows !== 'string') throw new UsageError('retry needs --workflows <module>');
    const by = typeof values.by === 'string' ? values.by : 'cli';
    if (by.length === 0) throw new UsageError('--by must not be empty');
    const who = { by, ...(typeof values.reason === 'string' ? { reason: values.reason } : {}) };
    const rt = runtime(await loadWorkflows(values.workflows));
    if (!all) {
      const runId = runIdArgument(positionals[0]);
      const info = await (await rt.retry(runId, who)).settled();
      if (json) printJson(io, { ...info, pendingApprovals: info.pendingApprovals ?? [] });
      else printRunDetails(io, info);
      return info.status === 'completed' || info.status === 'paused' ? 0 : 1;
    }
    const limit = values.limit === undefined ? undefined : positiveInteger('--limit', values.limit);
    const outcome = await rt.retryAll({
      ...who,
      ...(typeof values.workflow === 'string' ? { workflow: values.workflow } : {}),
      ...(limit !== undefined ? { limit } : {}),
    });
    const settled: RunInfo[] = [];
    for (const runId of outcome.retried) settled.push(await rt.handle(runId).settled());
    const failed = outcome.failed.map(({ runId, error }) => ({ runId, error: (error as Error).message }));
    const ok = failed.length === 0 && settled.every((info) => info.status === 'completed' || info.status === 'paused');
    if (json) {
      printJson(io, { retried: settled, failed });
      return ok ? 0 : 1;
    }
    if (settled.length === 0 && failed.length === 0) io.out('No failed runs to retry.');
    for (const info of settled) io.out(`${info.runId}  ${info.status}`);
    for (const f of failed) io.err(`${f.runId}: ${forDisplay({ message: f.error }).message}`);
    return ok ? 0 : 1;
  },
};
