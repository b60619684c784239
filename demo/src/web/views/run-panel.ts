/**
 * What the demo adds to the Inspector for the run it shows: who drives the run (this tab, another
 * tab, or nobody until an OpenAI key is typed again), what this tab's resumes measured, the refund
 * waiting for a decision, the steps in flight with their streamed text, and the outside world's
 * ledger. The run itself — status, usage, conversation, timeline, actions — is the Inspector's.
 */
import type { RunInfo, ToolApprovalDetails } from '@cairn/core';
import type { SideEffect } from '../../shared/side-effects.ts';
import { formatCents } from '../../shared/support-data.ts';
import { h } from '../dom.ts';
import { count } from '../format.ts';
import type { ResumeNotice } from '../resume-notices.ts';
import { type LiveStep, renderInFlight } from './in-flight.ts';
import { renderLedger } from './ledger-panel.ts';

/** Everything the panel shows. */
export interface RunPanelView {
  info: RunInfo;
  live: LiveStep[];
  notices: ResumeNotice[];
  effects: SideEffect[];
  drivenHere: boolean;
  /** This tab has the agent for the run's workflow (OpenAI runs need the key typed in again). */
  canDrive: boolean;
}

const REASONS: Record<ResumeNotice['reason'], string> = {
  reload: 'Resumed after reload',
  approval: 'Resumed after the approval',
  takeover: 'Taken over from a tab that went away',
  resume: 'Resumed',
};

/** `Resumed after reload: 3 steps replayed, 0 tokens re-spent (412 tokens not paid again).` */
export function noticeText(notice: ResumeNotice): string {
  const steps = `${notice.replayedSteps} step${notice.replayedSteps === 1 ? '' : 's'} replayed`;
  const inFlight = notice.inFlight.length
    ? ` ${notice.inFlight.join(', ')} ${notice.inFlight.length === 1 ? 'was' : 'were'} running when the tab went away: no result was journaled, so it ran again.`
    : '';
  return `${REASONS[notice.reason]}: ${steps}, ${count(notice.reSpentTokens)} tokens re-spent (${count(notice.savedTokens)} tokens not paid again).${inFlight}`;
}

function driverLine(view: RunPanelView): string {
  if (view.info.status !== 'running') return '';
  if (view.drivenHere)
    return 'This tab drives the run (it holds the run’s Web Lock). Reload it: the run resumes from the journal.';
  if (!view.canDrive) return 'This run uses OpenAI: type the key again (it was kept in memory only) and this tab resumes it.';
  return 'Another tab drives this run; this tab follows its progress over BroadcastChannel and takes over if that tab goes away.';
}

/** `The agent wants to refund $18.00 on order A-1042 (damaged item).` */
function question(details: Partial<ToolApprovalDetails> | undefined): string {
  const args = (details?.arguments ?? {}) as { orderId?: string; amountCents?: number; reason?: string };
  if (details?.tool === 'issue_refund' && typeof args.amountCents === 'number')
    return `The agent wants to refund ${formatCents(args.amountCents)} on order ${args.orderId} (${args.reason ?? 'no reason given'}).`;
  return `The agent wants to call ${details?.tool ?? 'a tool'}.`;
}

/** The panel's children. */
export function renderRunPanel(view: RunPanelView): Node[] {
  const nodes: Node[] = [
    h('h2', {}, 'This tab and the run'),
    h('p', { class: 'mono hint', 'data-panel-run': view.info.runId }, view.info.runId),
    h('p', { class: 'driver' }, driverLine(view)),
  ];
  const [latest, ...older] = [...view.notices].reverse();
  if (latest) nodes.push(h('p', { class: 'notice', 'data-notice': latest.reason }, `↻ ${noticeText(latest)}`));
  for (const notice of older) nodes.push(h('p', { class: 'notice older' }, noticeText(notice)));
  for (const approval of view.info.status === 'paused' ? (view.info.pendingApprovals ?? []) : [])
    nodes.push(
      h(
        'p',
        { class: 'notice pending', 'data-pending-approval': approval.approvalId },
        `‖ ${question(approval.details as Partial<ToolApprovalDetails> | undefined)} Approve or reject it in the Inspector: ` +
          'the decision, who made it and when are journaled, and it waits there across reloads until someone decides.',
      ),
    );
  nodes.push(h('h3', {}, 'In flight'), renderInFlight(view.live));
  nodes.push(h('h3', {}, 'Outside world'), renderLedger(view.effects));
  return nodes;
}
