/**
 * `cairn fork <runId> --at-seq <n> --workflows <module> [--input json] [--new-id id]`: copy a run's
 * journal up to a seq into a new run and drive the copy until it settles.
 */
import { CairnError } from '@cairn/core';
import { UsageError } from '../cli-errors.ts';
import { type Command, printJson } from '../command.ts';
import { printRunDetails } from '../format/run-details.ts';
import { loadWorkflows } from '../load-workflows.ts';
import { runIdArgument } from '../run-id-argument.ts';
import { jsonOption, positiveInteger } from './option-values.ts';

/** `cairn fork …` */
export const forkCommand: Command = {
  name: 'fork',
  summary: 'Fork a run at a journal seq into a new run and drive it',
  positionals: ['runId'],
  options: {
    'at-seq': { type: 'string', value: '<n>', help: 'required: keep the source journal up to this seq (see cairn history)' },
    workflows: { type: 'string', value: '<module>', help: 'required: module exporting the workflows or agents' },
    input: { type: 'string', value: '<json>', help: "a new input for the fork (default: the source run's)" },
    'new-id': { type: 'string', value: '<id>', help: "the new run's id (default: generated)" },
  },
  details: [
    'Steps recorded up to --at-seq are replayed in the fork; everything after runs again. The source',
    'run is not changed. Exit code 0 when the fork completed or paused, 1 when it failed.',
    'JSON: the fork\'s settled RunInfo (its "forkedFrom" names the source and seq).',
  ],
  async run({ io, json, values, positionals, runtime }) {
    const runId = runIdArgument(positionals[0]);
    if (values['at-seq'] === undefined) throw new UsageError('fork needs --at-seq <n>');
    const atSeq = positiveInteger('--at-seq', values['at-seq'], Number.MAX_SAFE_INTEGER);
    if (typeof values.workflows !== 'string') throw new UsageError('fork needs --workflows <module>');
    const input = jsonOption('--input', values.input);
    const newId = values['new-id'] === undefined ? undefined : runIdArgument(String(values['new-id']));
    const rt = runtime(await loadWorkflows(values.workflows));
    let handle: Awaited<ReturnType<typeof rt.fork>>;
    try {
      handle = await rt.fork(runId, {
        atSeq,
        ...(values.input !== undefined ? { input } : {}),
        ...(newId !== undefined ? { runId: newId } : {}),
      });
    } catch (error) {
      // A seq past the journal's end is the command line's fault.
      if (CairnError.is(error, 'invalid-argument')) throw new UsageError(error.message.replace(/^\[[^\]]+\] /, ''));
      throw error;
    }
    const info = await handle.settled();
    if (json) printJson(io, { ...info, pendingApprovals: info.pendingApprovals ?? [] });
    else printRunDetails(io, info);
    return info.status === 'completed' || info.status === 'paused' ? 0 : 1;
  },
};
