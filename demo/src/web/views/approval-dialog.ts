/**
 * The approve / reject dialog for a tool call that needs a human (`needsApproval` on the refund).
 * The question lives in the journal, not in the page: reload, or open another tab, and it is asked
 * again until someone decides.
 */
import type { PendingApproval, ToolApprovalDetails } from '@cairn/core';
import { formatCents } from '../../shared/support-data.ts';
import { byId } from '../dom.ts';

/** A pending approval of a run. */
export interface ApprovalQuestion {
  runId: string;
  approval: PendingApproval;
}

/** The dialog. */
export interface ApprovalDialog {
  /** Ask (no-op if this very question is already open). */
  ask(question: ApprovalQuestion): void;
  close(): void;
  /** The approval id currently asked, if the dialog is open. */
  readonly asking: string | null;
}

function describe(details: Partial<ToolApprovalDetails> | undefined): string {
  const args = (details?.arguments ?? {}) as { orderId?: string; amountCents?: number; reason?: string };
  if (details?.tool === 'issue_refund' && typeof args.amountCents === 'number')
    return `The agent wants to refund ${formatCents(args.amountCents)} on order ${args.orderId} (${args.reason ?? 'no reason given'}).`;
  return `The agent wants to call ${details?.tool ?? 'a tool'}.`;
}

/** Wire the dialog of index.html; `decide` records the decision. */
export function createApprovalDialog(
  decide: (question: ApprovalQuestion, decision: 'approve' | 'reject' | 'dismiss', reason: string) => void,
): ApprovalDialog {
  const dialog = byId<HTMLDialogElement>('approval');
  const reason = byId<HTMLInputElement>('approval-reason');
  let current: ApprovalQuestion | null = null;
  dialog.addEventListener('close', () => {
    const question = current;
    current = null;
    if (!question) return;
    const value = dialog.returnValue;
    // Escape closes without a decision: the question stays in the journal ("Review the refund").
    decide(question, value === 'approve' || value === 'reject' ? value : 'dismiss', reason.value.trim());
  });
  return {
    get asking() {
      return current?.approval.approvalId ?? null;
    },
    ask(question) {
      if (current?.approval.approvalId === question.approval.approvalId && dialog.open) return;
      current = question;
      const details = question.approval.details as Partial<ToolApprovalDetails> | undefined;
      byId('approval-text').textContent = describe(details);
      byId('approval-arguments').textContent = JSON.stringify(details?.arguments ?? details ?? null, null, 2);
      reason.value = '';
      dialog.returnValue = '';
      if (!dialog.open) dialog.showModal();
    },
    close() {
      current = null;
      if (dialog.open) dialog.close();
    },
  };
}
