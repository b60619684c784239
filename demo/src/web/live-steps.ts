/**
 * What is happening right now, from events (this tab's and the other tabs'): the steps in flight
 * with their streamed text, and which steps this tab's latest resume replayed from the journal.
 */
import type { RunEvent } from '@cairn/core';
import type { LiveStep } from './views/step-rows.ts';

/** Live state of every run this page has heard of. */
export interface LiveSteps {
  /** Feed an event; `local` when this tab emitted it. */
  observe(event: RunEvent, local: boolean): void;
  inFlight(runId: string): LiveStep[];
  replayed(runId: string): ReadonlySet<string>;
  /** Steps in flight in this tab, per run (what a reload interrupts). */
  localInFlight(): Record<string, string[]>;
}

/** An empty live state. */
export function createLiveSteps(): LiveSteps {
  const running = new Map<string, Map<string, LiveStep>>();
  const replayedSteps = new Map<string, Set<string>>();
  const stepsOf = (runId: string): Map<string, LiveStep> => {
    const steps = running.get(runId) ?? new Map<string, LiveStep>();
    running.set(runId, steps);
    return steps;
  };
  return {
    observe(event, local) {
      const { runId } = event;
      switch (event.type) {
        case 'run-resume':
          running.delete(runId);
          if (local) replayedSteps.set(runId, new Set());
          break;
        case 'step-start':
          stepsOf(runId).set(event.stepId, { stepId: event.stepId, startedAt: event.at, text: '', local });
          break;
        case 'text-delta': {
          const step = running.get(runId)?.get(event.stepId);
          if (step) step.text += event.delta;
          break;
        }
        case 'step-end':
          running.get(runId)?.delete(event.stepId);
          if (event.replayed && local) replayedSteps.get(runId)?.add(event.stepId);
          break;
        case 'step-fail':
          running.get(runId)?.delete(event.stepId);
          break;
        case 'run-end':
        case 'run-pause':
        case 'lease-lost':
          running.delete(runId);
          break;
        default:
          break;
      }
    },
    inFlight: (runId) => [...(running.get(runId)?.values() ?? [])],
    replayed: (runId) => replayedSteps.get(runId) ?? new Set(),
    localInFlight() {
      const result: Record<string, string[]> = {};
      for (const [runId, steps] of running) {
        const local = [...steps.values()].filter((step) => step.local).map((step) => step.stepId);
        if (local.length > 0) result[runId] = local;
      }
      return result;
    },
  };
}
