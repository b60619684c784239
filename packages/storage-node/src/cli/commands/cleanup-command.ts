/**
 * `cairn cleanup --older-than 7d [--status completed,failed] [--dry-run]`: delete old runs.
 */
import type { RunRecord, RunStatus } from '@cairn/core';
import { UsageError } from '../cli-errors.ts';
import { type Command, printJson } from '../command.ts';
import { parseDuration } from '../duration.ts';
import { formatTable } from '../format/table.ts';
import { forDisplay } from '../format/terminal-text.ts';
import { formatAge, formatCount } from '../format/values.ts';
import { statusText, summarize } from '../run-summary.ts';
import { parseStatuses } from '../statuses.ts';

const DEFAULT_STATUSES: RunStatus[] = ['completed', 'failed', 'cancelled'];

/** `cairn cleanup --older-than <duration> [--status s1,s2] [--dry-run]` */
export const cleanupCommand: Command = {
  name: 'cleanup',
  summary: 'Delete runs last updated longer ago than a duration',
  positionals: [],
  options: {
    'older-than': { type: 'string', value: '<duration>', help: 'required: 30s, 15m, 12h, 7d…' },
    status: { type: 'string', value: '<s1,s2>', help: 'statuses to delete (default completed,failed,cancelled)' },
    'dry-run': { type: 'boolean', help: 'list what would be deleted, delete nothing' },
  },
  details: [
    'Age is measured from the run’s last update. Running and paused runs are only deleted when named in --status.',
    'JSON: { "deleted": number, "olderThanMs": number, "updatedBefore": number, "status": string[] }',
    '  with --dry-run: { "dryRun": true, "updatedBefore": number, "status": string[], "runs": RunSummary[] }',
  ],
  async run({ io, json, values, store, runtime }) {
    if (typeof values['older-than'] !== 'string')
      throw new UsageError('cleanup needs --older-than <duration>, like --older-than 7d');
    const age = values['older-than'].trim();
    const olderThanMs = parseDuration(age, '--older-than');
    const status = typeof values.status === 'string' ? parseStatuses(values.status) : DEFAULT_STATUSES;
    const updatedBefore = io.now() - olderThanMs;
    const { style } = io;
    if (values['dry-run'] === true) {
      const runs: RunRecord[] = [];
      let cursor: string | undefined;
      do {
        const page = await store().listRuns({ status, updatedBefore, limit: 1000, ...(cursor ? { cursor } : {}) });
        runs.push(...page.runs);
        cursor = page.cursor;
      } while (cursor);
      if (json) {
        printJson(io, { dryRun: true, updatedBefore, status, runs: runs.map(summarize) });
        return 0;
      }
      const now = io.now();
      const rows = forDisplay(runs).map((r) => [
        r.runId,
        r.workflow,
        style.status(r.status, statusText(r.status, r.pauseReason)),
        formatAge(r.updatedAt, now),
      ]);
      if (rows.length > 0)
        for (const line of formatTable(
          [{ title: 'RUN' }, { title: 'WORKFLOW' }, { title: 'STATUS' }, { title: 'UPDATED' }],
          rows,
          style.bold,
        ))
          io.out(line);
      io.out(`Would delete ${formatCount(runs.length)} ${status.join('/')} runs not updated for ${age}.`);
      return 0;
    }
    const deleted = await runtime().cleanup({ olderThanMs, status });
    if (json) printJson(io, { deleted, olderThanMs, updatedBefore, status });
    else io.out(`Deleted ${formatCount(deleted)} ${status.join('/')} runs not updated for ${age}.`);
    return 0;
  },
};
