/**
 * What can be done to a run from its page: decide pending approvals (with who and why), retry a
 * failed run, cancel, signal, delete. Every action goes through the backend, which is the runtime
 * API the CLI uses; actions that need the workflow code are disabled without it.
 */
import type { PendingApproval, RunInfo } from '@cairn/core';
import { h } from '../dom.ts';
import { show, timestamp } from '../format.ts';

/** The actions the panel triggers (each resolves when done, or rejects with a message to show). */
export interface RunActionHandlers {
  canDrive: boolean;
  approve(approvalId: string, approved: boolean, by: string, reason: string): Promise<void>;
  retry(by: string, reason: string): Promise<void>;
  cancel(reason: string): Promise<void>;
  signal(name: string, payload: unknown): Promise<void>;
  remove(force: boolean): Promise<void>;
}

const NEEDS_CODE = 'needs the workflow code: start cairn ui with --workflows <module>';

/** Who acts, remembered in this tab for the audit records. */
function whoInput(): HTMLInputElement {
  const input = h('input', { name: 'by', placeholder: 'your name (for the audit record)', 'data-by': '', required: true });
  input.value = sessionStorage.getItem('cairn-inspector-by') ?? '';
  input.addEventListener('change', () => sessionStorage.setItem('cairn-inspector-by', input.value));
  return input;
}

function runAction(message: HTMLElement, action: () => Promise<void>, done: string): void {
  message.textContent = '…';
  message.className = 'action-message';
  action().then(
    () => {
      message.textContent = done;
    },
    (error: unknown) => {
      message.textContent = error instanceof Error ? error.message : String(error);
      message.className = 'action-message error';
    },
  );
}

function approvalCard(
  approval: PendingApproval,
  by: HTMLInputElement,
  message: HTMLElement,
  handlers: RunActionHandlers,
): HTMLElement {
  const reason = h('input', { name: 'reason', placeholder: 'reason (optional)', 'data-reason': '' });
  const decide = (approved: boolean) => () => {
    if (!by.value.trim()) {
      message.textContent = 'Say who decides first (your name).';
      message.className = 'action-message error';
      by.focus();
      return;
    }
    runAction(
      message,
      () => handlers.approve(approval.approvalId, approved, by.value.trim(), reason.value.trim()),
      approved ? 'Approved.' : 'Rejected.',
    );
  };
  return h(
    'div',
    { class: 'approval', 'data-approval': approval.approvalId },
    h(
      'div',
      {},
      h('strong', {}, 'Waiting for a decision: '),
      h('span', { class: 'mono' }, approval.approvalId),
      ` (asked ${timestamp(approval.requestedAt)}${approval.expiresAt ? `, expires ${timestamp(approval.expiresAt)}` : ''})`,
    ),
    h('pre', {}, show(approval.details)),
    reason,
    h('button', { type: 'button', class: 'primary', 'data-approve': approval.approvalId, onclick: decide(true) }, 'Approve'),
    h('button', { type: 'button', class: 'danger', 'data-reject': approval.approvalId, onclick: decide(false) }, 'Reject'),
  );
}

/** The actions panel of `run`. */
export function renderRunActions(run: RunInfo, handlers: RunActionHandlers): HTMLElement {
  const message = h('p', { class: 'action-message', 'data-action-message': '', role: 'status' });
  const by = whoInput();
  const reason = h('input', { name: 'action-reason', placeholder: 'why (retry, cancel)', 'data-action-reason': '' });
  const live = run.status === 'running' || run.status === 'paused';
  const signalName = h('input', { name: 'signal-name', placeholder: 'signal name', 'data-signal-name': '' });
  const signalPayload = h('input', { name: 'signal-payload', placeholder: 'payload (JSON)', 'data-signal-payload': '' });
  let armed = false;
  const deleteButton = h(
    'button',
    {
      type: 'button',
      class: 'danger',
      'data-action': 'delete',
      onclick: () => {
        if (!armed) {
          armed = true;
          deleteButton.textContent = 'Click again to delete';
          return;
        }
        runAction(message, () => handlers.remove(run.status === 'running'), 'Deleted.');
      },
    },
    'Delete',
  );
  const panel = h(
    'section',
    { class: 'actions', 'data-actions': '' },
    h('div', { class: 'row' }, by, reason),
    ...(run.pendingApprovals ?? []).map((approval) => approvalCard(approval, by, message, handlers)),
    h(
      'div',
      { class: 'row' },
      h(
        'button',
        {
          type: 'button',
          'data-action': 'retry',
          disabled: run.status !== 'failed' || !handlers.canDrive,
          title: handlers.canDrive ? 'continue the failed run in place' : `retry ${NEEDS_CODE}`,
          onclick: () =>
            runAction(message, () => handlers.retry(by.value.trim() || 'inspector', reason.value.trim()), 'Retrying…'),
        },
        'Retry',
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'danger',
          'data-action': 'cancel',
          disabled: !live,
          onclick: () => runAction(message, () => handlers.cancel(reason.value.trim()), 'Cancel requested.'),
        },
        'Cancel',
      ),
      deleteButton,
    ),
    h(
      'div',
      { class: 'row' },
      signalName,
      signalPayload,
      h(
        'button',
        {
          type: 'button',
          'data-action': 'signal',
          disabled: !live,
          onclick: () =>
            runAction(
              message,
              async () => {
                let payload: unknown;
                try {
                  payload = signalPayload.value.trim() === '' ? undefined : JSON.parse(signalPayload.value);
                } catch {
                  throw new Error('The signal payload must be JSON (e.g. {"ok": true} or "text").');
                }
                if (!signalName.value.trim()) throw new Error('Name the signal.');
                await handlers.signal(signalName.value.trim(), payload);
              },
              'Signal sent.',
            ),
        },
        'Send signal',
      ),
    ),
    handlers.canDrive ? '' : h('p', { class: 'hint' }, `Retry and fork are off: each ${NEEDS_CODE}.`),
    message,
  );
  return panel;
}
