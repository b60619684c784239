/**
 * `cairn check-replay --workflows <module> [--all] [--run <id,…>]`: replay stored runs against the
 * code of a module without executing anything (ADR 0104), the deploy gate to run in CI on a copy of
 * the production store. The store is opened read-only: the check cannot write.
 */
import { type CheckReplayReport, type CheckSelection, checkReplay, type RunCheck } from '@cairn/core';
import { UsageError } from '../cli-errors.ts';
import { type Command, printJson } from '../command.ts';
import type { Style } from '../format/style.ts';
import { formatTable } from '../format/table.ts';
import { forDisplay } from '../format/terminal-text.ts';
import { preview } from '../format/values.ts';
import { loadWorkflows } from '../load-workflows.ts';
import { runIdArgument } from '../run-id-argument.ts';

function verdict(run: RunCheck, style: Style): string {
  if (!run.compatible) return style.red(`INCOMPATIBLE (${run.problem?.kind ?? 'unknown'})`);
  if (run.definitionChanges.length > 0) return style.yellow('compatible, definition changed');
  return style.green('compatible');
}

function detail(run: RunCheck): string {
  const problem = run.problem;
  if (problem?.kind === 'non-determinism')
    return `seq ${problem.seq ?? '?'}: recorded "${problem.recorded ?? '?'}", code asks "${problem.requested ?? '?'}"`;
  if (problem?.kind === 'unconsumed-calls')
    return `${problem.count} recorded call(s) never made, first "${problem.recorded ?? '?'}" at seq ${problem.seq ?? '?'}`;
  if (problem?.kind === 'definition-changed') return `agent "${problem.agent}": ${problem.parts.join(', ')} changed`;
  if (problem) return preview(problem.message.replace(/^\[[^\]]+\] /, ''), 100);
  const changes = run.definitionChanges.map((c) => `agent "${c.agent}": ${c.parts.join(', ')} (recorded on resume)`);
  const where = {
    live: 'replays to its end',
    waiting: 'replays to its open wait',
    returned: 'returns',
    threw: 'throws',
    stopped: '',
  }[run.stoppedAt];
  return [`${run.replayedCalls}/${run.recordedCalls} calls, ${where}`, ...changes].join('; ');
}

function printReport(report: CheckReplayReport, io: Parameters<Command['run']>[0]['io']): void {
  const { style } = io;
  if (report.checked === 0) {
    io.out('No runs to check.');
    return;
  }
  const runs = forDisplay(report.runs);
  const rows = runs.map((run) => [run.runId, run.workflow, style.status(run.status), verdict(run, style), detail(run)]);
  const columns = [{ title: 'RUN' }, { title: 'WORKFLOW' }, { title: 'STATUS' }, { title: 'VERDICT' }, { title: 'DETAIL' }];
  for (const line of formatTable(columns, rows, style.bold)) io.out(line);
  for (const patch of forDisplay(report.patches)) {
    const state = patch.retirable
      ? style.green('retirable: no run that can still be driven takes the old path')
      : style.yellow(`keep: ${patch.oldPath.length} run(s) take the old path`);
    io.out(`patch "${patch.patchId}": old path ${patch.oldPath.length}, new path ${patch.newPath.length} — ${state}`);
  }
  const summary = `${report.checked} run${report.checked === 1 ? '' : 's'} checked: ${report.compatible} compatible, ${report.incompatible} incompatible`;
  io.out(report.ok ? style.green(summary) : style.red(summary));
  for (const run of runs) if (run.problem) io.out(style.dim(`${run.runId}: ${run.problem.message}`));
}

/** `cairn check-replay --workflows <module> [--all] [--run <id,…>]` */
export const checkReplayCommand: Command = {
  name: 'check-replay',
  summary: 'Replay stored runs against new code without executing anything',
  positionals: [],
  readOnly: true,
  options: {
    workflows: { type: 'string', value: '<module>', help: 'required: module exporting the workflows or agents (the new code)' },
    all: { type: 'boolean', help: 'also check completed and cancelled runs (default: running, paused and failed)' },
    run: { type: 'string', value: '<id,…>', help: 'check only these runs' },
  },
  details: [
    'Every answer comes from the journal: no step, tool or model call runs, and the store is opened',
    'read-only. A run is compatible when replay reaches the first call its journal has not recorded',
    '(or an open wait, or the same ending) without a non-determinism, unconsumed recorded calls, or an',
    "agent definition change under onDefinitionChange: 'fail'. Exit code 0 when every run checked is",
    'compatible, 1 when any is not, 2 on a usage error.',
    'JSON: { "ok", "checked", "compatible", "incompatible", "runs": RunCheck[], "patches": PatchUse[] }',
    '(shapes in docs/guide/deploying-changes.md).',
  ],
  async run({ io, json, values, store }) {
    if (typeof values.workflows !== 'string') throw new UsageError('check-replay needs --workflows <module>');
    if (values.all === true && typeof values.run === 'string')
      throw new UsageError('check-replay: --all and --run exclude each other');
    let select: CheckSelection = values.all === true ? 'all' : 'active';
    if (typeof values.run === 'string') {
      const runIds = values.run.split(',').map((id) => runIdArgument(id.trim()));
      if (runIds.length === 0) throw new UsageError('--run: expected run ids separated by commas');
      select = { runIds };
    }
    const workflows = await loadWorkflows(values.workflows);
    const report = await checkReplay({ workflows, store: store(), select });
    if (json) printJson(io, report);
    else printReport(report, io);
    return report.ok ? 0 : 1;
  },
};
