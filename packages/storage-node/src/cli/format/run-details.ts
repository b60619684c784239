/**
 * A run's details as aligned `label  value` lines (shared by `show`, `approve` and `resume`).
 */
import type { RunInfo } from '@cairn/core';
import type { CliIo } from '../cli-io.ts';
import { statusText, stepText } from '../run-summary.ts';
import { printApprovals } from './approvals.ts';
import { displayText, forDisplay } from './terminal-text.ts';
import { formatCount, formatTimeAndAge, preview } from './values.ts';

function usageText(usage: RunInfo['usage']): string {
  if (usage.modelCalls === 0 && usage.totalTokens === 0) return 'no model calls';
  const calls = `${usage.modelCalls} model call${usage.modelCalls === 1 ? '' : 's'}`;
  return `${formatCount(usage.totalTokens)} tokens (in ${formatCount(usage.inputTokens)}, out ${formatCount(usage.outputTokens)}) in ${calls}; ${formatCount(usage.savedTokens)} saved by replay`;
}

/** Print everything `show` knows about a run. */
export function printRunDetails(io: CliIo, raw: RunInfo): void {
  const info = forDisplay(raw);
  const { style } = io;
  const now = io.now();
  const lines: Array<[string, string]> = [
    ['Run', style.bold(info.runId)],
    ['Workflow', info.workflow],
    ['Status', style.status(info.status, statusText(info.status, info.pauseReason))],
    ['Step', stepText(info.step)],
    ['Created', formatTimeAndAge(info.createdAt, now)],
    ['Updated', formatTimeAndAge(info.updatedAt, now)],
  ];
  if (info.wakeAt !== null) lines.push(['Wakes', formatTimeAndAge(info.wakeAt, now)]);
  if (info.lease && info.status === 'running') {
    const live = info.lease.expiresAt > now;
    lines.push([
      'Lease',
      `${info.lease.owner}, ${live ? 'live until' : 'expired'} ${formatTimeAndAge(info.lease.expiresAt, now)}`,
    ]);
  }
  if (info.cancelRequested && info.status === 'running') lines.push(['Cancel', 'requested']);
  lines.push(['Usage', usageText(info.usage)]);
  if (info.error) {
    const code = info.error.code ? ` [${info.error.code}]` : '';
    lines.push(['Error', style.red(`${info.error.name}${code}: ${preview(info.error.message, 300)}`)]);
  }
  if (info.forkedFrom) lines.push(['Forked', `from ${info.forkedFrom.runId} at seq ${info.forkedFrom.atSeq}`]);
  if (info.metadata && Object.keys(info.metadata).length > 0)
    lines.push([
      'Metadata',
      Object.entries(info.metadata)
        .map(([key, value]) => `${key}=${value}`)
        .join(', '),
    ]);
  if (info.attempt > 1) lines.push(['Attempt', `${info.attempt} (retried; see cairn history)`]);
  if (info.expiresAt !== null && info.expiresAt !== undefined) lines.push(['Expires', formatTimeAndAge(info.expiresAt, now)]);
  lines.push(['Journal', `${info.lastSeq} entries`]);
  // Values are previewed from the raw run and escaped once: escaping first would show JSON's
  // own escapes doubled.
  lines.push(['Input', displayText(preview(raw.input, 200))]);
  if ('output' in raw) lines.push(['Output', displayText(preview(raw.output, 200))]);
  const width = Math.max(...lines.map(([label]) => label.length));
  for (const [label, value] of lines) io.out(`${style.dim(label.padEnd(width))}  ${value}`);
  if (info.pendingApprovals && info.pendingApprovals.length > 0) {
    io.out('');
    printApprovals(io, info.runId, info.pendingApprovals);
  }
}
