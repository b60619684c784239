/**
 * What is happening right now, from events (this tab's and the other tabs'): the steps in flight
 * with their streamed text.
 */
import type { RunEvent } from '@cairn/core';
import type { LiveStep } from './views/in-flight.ts';

/** Live state of every run this page has heard of. */
export interface LiveSteps {
  /** Feed an event; `local` when this tab emitted it. */
  observe(event: RunEvent, local: boolean): void;
  inFlight(runId: string): LiveStep[];
  /** Steps in flight in this tab, per run (what a reload interrupts). */
  localInFlight(): Record<string, string[]>;
}

/** An empty live state. */
export function createLiveSteps(): LiveSteps {
  const running = new Map<string, Map<string, LiveStep>>();
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
