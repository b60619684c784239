/**
 * `cairn approve <runId> <approvalId> [--reject] [--by name] [--reason text] [--workflows module]`.
 */
import { userInfo } from 'node:os';
import { UsageError } from '../cli-errors.ts';
import type { CliIo } from '../cli-io.ts';
import { type Command, printJson } from '../command.ts';
import { printRunDetails } from '../format/run-details.ts';
import { forDisplay } from '../format/terminal-text.ts';
import { loadWorkflows } from '../load-workflows.ts';
import { runIdArgument } from '../run-id-argument.ts';

// The audit record needs a name; the OS user is the honest default for a terminal.
function defaultApprover(io: CliIo): string {
  try {
    return io.env.USER || io.env.USERNAME || userInfo().username || 'cli';
  } catch {
    return 'cli';
  }
}

/** `cairn approve …` */
export const approveCommand: Command = {
  name: 'approve',
  summary: 'Approve (or reject) a pending approval of a run',
  positionals: ['runId', 'approvalId'],
  options: {
    reject: { type: 'boolean', help: 'reject instead of approving' },
    by: { type: 'string', value: '<name>', help: 'who decides, for the audit record (default: your OS user name)' },
    reason: { type: 'string', value: '<text>', help: 'why, for the audit record' },
    workflows: { type: 'string', value: '<module>', help: 'also continue the run here until it settles' },
  },
  details: [
    'Without --workflows the run is marked due: the next resumeAll of a process with its workflows (or',
    'cairn resume) continues it. Approval ids are listed by cairn show.',
    'JSON: { "runId", "approvalId", "approved", "by", "reason"?, "run"?: RunInfo (with --workflows) }',
    'Exit code 3 when the run or the approval does not exist; 1 when it was already decided.',
  ],
  async run({ io, json, values, positionals, runtime }) {
    const runId = runIdArgument(positionals[0]);
    const approvalId = positionals[1] ?? '';
    if (approvalId.length === 0) throw new UsageError('approve needs an approval id (see cairn show <runId>)');
    const by = typeof values.by === 'string' ? values.by : defaultApprover(io);
    if (by.length === 0) throw new UsageError('--by: the approver name must not be empty');
    const reason = typeof values.reason === 'string' ? values.reason : undefined;
    const approved = values.reject !== true;
    const workflows = typeof values.workflows === 'string' ? await loadWorkflows(values.workflows) : undefined;
    const rt = runtime(workflows);
    await rt.approve(runId, approvalId, { approved, by, ...(reason !== undefined ? { reason } : {}) });
    const decision = { runId, approvalId, approved, by, ...(reason !== undefined ? { reason } : {}) };
    const run = workflows ? await rt.handle(runId).settled() : undefined;
    if (json) {
      printJson(io, { ...decision, ...(run ? { run: { ...run, pendingApprovals: run.pendingApprovals ?? [] } } : {}) });
      return 0;
    }
    const verdict = approved ? io.style.green('Approved') : io.style.red('Rejected');
    const shown = forDisplay({ approvalId, by, reason });
    io.out(`${verdict} ${shown.approvalId} of run ${runId} as ${shown.by}${shown.reason ? ` (${shown.reason})` : ''}.`);
    if (run) {
      io.out('');
      printRunDetails(io, run);
    } else io.out(io.style.dim(`The run continues at the next resumeAll, or now: cairn resume ${runId} --workflows <module>`));
    return 0;
  },
};
