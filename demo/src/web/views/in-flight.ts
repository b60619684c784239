/**
 * The steps of a run running right now, as live events tell them (this tab's or another tab's), with
 * the text the model has streamed so far. The journal only holds a step once it ended; the Inspector
 * shows those.
 */
import { h } from '../dom.ts';
import { duration, oneLine } from '../format.ts';

/** A step running right now, as the events tell it. */
export interface LiveStep {
  stepId: string;
  startedAt: number;
  /** Text streamed so far (model steps). */
  text: string;
  /** Whether the tab driving it is this one. */
  local: boolean;
}

/** One row per step in flight; `data-started-at` lets the page tick the duration without a redraw. */
export function renderInFlight(live: readonly LiveStep[]): HTMLElement {
  if (live.length === 0) return h('p', { class: 'hint' }, 'No step in flight.');
  return h(
    'ol',
    { class: 'in-flight' },
    ...live.map((step) =>
      h(
        'li',
        { 'data-step': step.stepId },
        h('span', { class: 'spinner' }),
        h('span', { class: 'mono' }, step.stepId),
        h('span', { 'data-started-at': step.startedAt }, duration(Date.now() - step.startedAt)),
        h('span', { class: 'hint' }, step.local ? 'this tab' : 'another tab'),
        step.text ? h('span', { class: 'what' }, `“${oneLine(step.text, 220)}”`) : '',
      ),
    ),
  );
}
