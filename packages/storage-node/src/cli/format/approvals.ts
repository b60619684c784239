/**
 * Pending approvals as a table (shared by `show`, `approve` and `resume`).
 */
import type { PendingApproval } from '@cairn/core';
import type { CliIo } from '../cli-io.ts';
import { formatTable } from './table.ts';
import { displayText, forDisplay } from './terminal-text.ts';
import { formatAge, formatTime, preview } from './values.ts';

/** `tool refund {"orderId":"A1"}` for tool calls; other details as JSON. */
export function approvalDetails(details: unknown): string {
  const call = details as { kind?: unknown; tool?: unknown; arguments?: unknown } | null;
  if (call && call.kind === 'tool-call' && typeof call.tool === 'string')
    return `tool ${call.tool} ${preview(call.arguments, 80)}`;
  return details === undefined ? '-' : preview(details, 90);
}

/** Print pending approvals with the command that decides them. */
export function printApprovals(io: CliIo, runId: string, raw: readonly PendingApproval[]): void {
  const approvals = forDisplay(raw);
  const { style } = io;
  const now = io.now();
  io.out(style.bold(`Pending approvals (${approvals.length})`));
  const rows = approvals.map((a, index) => [
    a.approvalId,
    a.reason,
    formatAge(a.requestedAt, now),
    a.expiresAt === null ? 'never' : `${formatTime(a.expiresAt)} (${a.defaultDecision ? 'approve' : 'reject'})`,
    displayText(approvalDetails(raw[index]?.details)),
  ]);
  const columns = [
    { title: 'APPROVAL' },
    { title: 'REASON' },
    { title: 'REQUESTED' },
    { title: 'EXPIRES' },
    { title: 'DETAILS' },
  ];
  for (const line of formatTable(columns, rows, style.bold)) io.out(`  ${line}`);
  io.out(style.dim(`  decide: cairn approve ${runId} <approval> [--reject] [--by <name>] [--reason <text>]`));
}
