/** A run's state in one badge: `paused · approval`, `running · lease expired`. */
import type { RunInfo } from '@cairn/core';
import { h } from '../dom.ts';

/** The words of the badge. */
export function statusText(run: RunInfo, now: number): string {
  if (run.status === 'paused' && run.pauseReason) return `paused · ${run.pauseReason}`;
  // A running run whose lease ran out has no live driver: its process died (or let go).
  if (run.status === 'running' && run.lease && run.lease.expiresAt < now) return 'running · lease expired';
  if (run.status === 'running' && !run.lease) return 'running · no driver';
  return run.status;
}

/** The badge. */
export function statusBadge(run: RunInfo, now: number): HTMLElement {
  return h('span', { class: `badge status-${run.status}`, 'data-run-status': run.status }, statusText(run, now));
}
