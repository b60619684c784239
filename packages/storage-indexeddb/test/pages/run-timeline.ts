/**
 * What the agent page shows: one list per run, built only from engine events — the page's own
 * runtime's (`onEvent`) and the other tabs' (tab channel). Nothing is read from the store, so a
 * test can compare what the user sees with the journal (`runtime.history`) and catch a step shown
 * twice, a step missing, or a step with other timings than the journal's.
 *
 * A resume replays every recorded step as a `step-end` event with `replayed: true`, so the list
 * is cleared on `run-start` and `run-resume` and rebuilt from the replay.
 */
import type { RunEvent } from '@cairn/core';

/** One line of the timeline, as rendered (read back from the DOM by tests). */
export interface TimelineItem {
  kind: 'step-end' | 'step-fail' | 'run-end';
  /** Step id (`tool:forecast#0`), or `run` for the end. */
  key: string;
  index?: number;
  attempts?: number;
  durationMs?: number;
  /** `input+output` tokens of a model step. */
  tokens?: string;
  /** Final status, on `run-end`. */
  status?: string;
}

/** The timelines of a page. */
export interface Timeline {
  apply(event: RunEvent): void;
  /** The rendered lines of `runId`, read from the DOM. */
  items(runId: string): TimelineItem[];
  /** How many times the list of `runId` was rebuilt from a start or a resume. */
  rebuilds(runId: string): number;
}

function listOf(root: HTMLElement, runId: string): HTMLOListElement {
  const existing = root.querySelector<HTMLOListElement>(`ol[data-run-id="${CSS.escape(runId)}"]`);
  if (existing) return existing;
  const list = document.createElement('ol');
  list.dataset.runId = runId;
  list.dataset.rebuilds = '0';
  root.append(list);
  return list;
}

function line(list: HTMLOListElement, item: TimelineItem, text: string): void {
  const li = document.createElement('li');
  for (const [name, value] of Object.entries(item)) if (value !== undefined) li.dataset[name] = String(value);
  li.textContent = text;
  list.append(li);
}

function read(li: HTMLLIElement): TimelineItem {
  const { kind, key, index, attempts, durationMs, tokens, status } = li.dataset;
  const item: TimelineItem = { kind: kind as TimelineItem['kind'], key: key ?? '' };
  if (index !== undefined) item.index = Number(index);
  if (attempts !== undefined) item.attempts = Number(attempts);
  if (durationMs !== undefined) item.durationMs = Number(durationMs);
  if (tokens !== undefined) item.tokens = tokens;
  if (status !== undefined) item.status = status;
  return item;
}

/** Render timelines into `root`. */
export function createTimeline(root: HTMLElement): Timeline {
  return {
    apply(event) {
      switch (event.type) {
        case 'run-start':
        case 'run-resume': {
          const list = listOf(root, event.runId);
          list.replaceChildren();
          list.dataset.rebuilds = String(Number(list.dataset.rebuilds) + 1);
          return;
        }
        case 'step-end': {
          const tokens = event.usage ? `${event.usage.inputTokens}+${event.usage.outputTokens}` : undefined;
          line(
            listOf(root, event.runId),
            {
              kind: 'step-end',
              key: event.stepId,
              index: event.index,
              attempts: event.attempts,
              durationMs: event.durationMs,
              ...(tokens ? { tokens } : {}),
            },
            `${event.replayed ? '↺' : '✓'} ${event.stepId} (${event.durationMs} ms)`,
          );
          return;
        }
        case 'step-fail':
          line(listOf(root, event.runId), { kind: 'step-fail', key: event.stepId, index: event.index }, `✗ ${event.stepId}`);
          return;
        case 'run-end':
          line(listOf(root, event.runId), { kind: 'run-end', key: 'run', status: event.status }, `■ ${event.status}`);
          return;
        default:
          return;
      }
    },
    items: (runId) => [...listOf(root, runId).querySelectorAll('li')].map(read),
    rebuilds: (runId) => Number(listOf(root, runId).dataset.rebuilds),
  };
}
