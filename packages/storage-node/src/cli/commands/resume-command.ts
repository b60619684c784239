/**
 * `cairn resume <runId> --workflows <module>`: continue a run in this process until it settles.
 */
import { UsageError } from '../cli-errors.ts';
import { type Command, printJson } from '../command.ts';
import { printRunDetails } from '../format/run-details.ts';
import { loadWorkflows } from '../load-workflows.ts';
import { runIdArgument } from '../run-id-argument.ts';

/** `cairn resume <runId> --workflows <module>` */
export const resumeCommand: Command = {
  name: 'resume',
  summary: 'Resume a run with the workflows of a module and wait until it settles',
  positionals: ['runId'],
  options: {
    workflows: { type: 'string', value: '<module>', help: 'required: module exporting the workflows or agents' },
  },
  details: [
    'The module is imported (a .js/.mjs file, or .ts on Node 24); it may construct clients and read',
    'their secrets from the environment. Completed steps are replayed from the journal, not re-run.',
    'Exit code 0 when the run completed or paused (e.g. for an approval), 1 when it failed, was',
    'cancelled or is driven by another process (live lease), 2 when the module lacks its workflow.',
    'JSON: the settled run (RunInfo, with "pendingApprovals").',
  ],
  async run({ io, json, values, positionals, runtime }) {
    const runId = runIdArgument(positionals[0]);
    if (typeof values.workflows !== 'string') throw new UsageError('resume needs --workflows <module>');
    const workflows = await loadWorkflows(values.workflows);
    const rt = runtime(workflows);
    const handle = await rt.resume(runId);
    const info = await handle.settled();
    const ok = info.status === 'completed' || info.status === 'paused';
    if (json) printJson(io, { ...info, pendingApprovals: info.pendingApprovals ?? [] });
    else printRunDetails(io, info);
    return ok ? 0 : 1;
  },
};
