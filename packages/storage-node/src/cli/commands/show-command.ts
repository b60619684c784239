/**
 * `cairn show <runId>`: status, pause reason, step, error, usage, timestamps, pending approvals.
 */
import { type Command, printJson } from '../command.ts';
import { printRunDetails } from '../format/run-details.ts';
import { runIdArgument } from '../run-id-argument.ts';

/** `cairn show <runId>` */
export const showCommand: Command = {
  name: 'show',
  summary: 'Show a run: status, step, error, usage, timestamps, pending approvals',
  positionals: ['runId'],
  readOnly: true,
  options: {},
  details: [
    'JSON: the run as runtime.get returns it (RunInfo), with "pendingApprovals" always present.',
    'Exit code 3 when the run does not exist.',
  ],
  async run({ io, json, positionals, runtime }) {
    const runId = runIdArgument(positionals[0]);
    const info = await runtime().get(runId);
    if (json) {
      printJson(io, { ...info, pendingApprovals: info.pendingApprovals ?? [] });
      return 0;
    }
    printRunDetails(io, info);
    return 0;
  },
};
