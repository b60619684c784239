/**
 * "Resumed after reload: 3 steps replayed, 0 tokens re-spent." Each time this tab resumes a run,
 * the notice is measured, not asserted: before resuming, the page reads which steps the journal
 * already holds; during the drive it counts replayed steps and the tokens they would have cost,
 * and adds up the tokens of any step executed *again* although the journal had it (always 0 unless
 * Cairn were broken). Notices live in sessionStorage: they describe this tab, and survive its reloads.
 */
import type { RunEvent } from '@cairn/core';

/** Why this tab resumed a run. */
export type ResumeReason = 'reload' | 'approval' | 'takeover' | 'resume';

/** One resume of one run by this tab. */
export interface ResumeNotice {
  reason: ResumeReason;
  at: number;
  replayedSteps: number;
  /** Tokens of the replayed model steps: what a naive restart would have paid again. */
  savedTokens: number;
  /** Tokens of steps executed although the journal already had them. */
  reSpentTokens: number;
  /** Steps that were running when the tab went away; they had no result, so they ran again. */
  inFlight: string[];
}

const NOTICES_KEY = 'cairn-demo:resume-notices';
const IN_FLIGHT_KEY = 'cairn-demo:in-flight-at-unload';

function load<T>(key: string, fallback: T): T {
  try {
    return (JSON.parse(sessionStorage.getItem(key) ?? 'null') as T) ?? fallback;
  } catch {
    return fallback;
  }
}

/** The notices of a run, oldest first. */
export function noticesOf(runId: string): ResumeNotice[] {
  return load<Record<string, ResumeNotice[]>>(NOTICES_KEY, {})[runId] ?? [];
}

function save(runId: string, notice: ResumeNotice, replaceLast: boolean): void {
  const all = load<Record<string, ResumeNotice[]>>(NOTICES_KEY, {});
  const list = all[runId] ?? [];
  if (replaceLast) list.pop();
  list.push(notice);
  all[runId] = list.slice(-10);
  sessionStorage.setItem(NOTICES_KEY, JSON.stringify(all));
}

/** Remember what was running when the tab goes away (called on `pagehide`). */
export function rememberInFlight(inFlight: Record<string, string[]>): void {
  sessionStorage.setItem(IN_FLIGHT_KEY, JSON.stringify(inFlight));
}

/** What was running in this tab before the reload, per run (read once, at load). */
export function takeInFlightAtUnload(): Record<string, string[]> {
  const value = load<Record<string, string[]>>(IN_FLIGHT_KEY, {});
  sessionStorage.removeItem(IN_FLIGHT_KEY);
  return value;
}

/** Measures resumes and records their notices. */
export interface ResumeTracker {
  /** Call before this tab resumes `runId`, with the step ids its journal holds. */
  expect(runId: string, reason: ResumeReason, journaled: ReadonlySet<string>, inFlight?: string[]): void;
  /** The resume did not happen (another tab holds the run). */
  forget(runId: string): void;
  /** Feed every event this tab emits. Returns true when a notice changed. */
  observe(event: RunEvent): boolean;
}

interface Measuring {
  notice: ResumeNotice;
  journaled: ReadonlySet<string>;
  started: boolean;
}

/** A tracker writing to sessionStorage. */
export function createResumeTracker(): ResumeTracker {
  const expected = new Map<string, { reason: ResumeReason; journaled: ReadonlySet<string>; inFlight: string[] }>();
  const measuring = new Map<string, Measuring>();
  return {
    expect(runId, reason, journaled, inFlight = []) {
      expected.set(runId, { reason, journaled, inFlight });
    },
    forget(runId) {
      expected.delete(runId);
    },
    observe(event) {
      const runId = event.runId;
      if (event.type === 'run-resume') {
        const plan = expected.get(runId);
        expected.delete(runId);
        const notice: ResumeNotice = {
          reason: plan?.reason ?? 'resume',
          at: event.at,
          replayedSteps: 0,
          savedTokens: 0,
          reSpentTokens: 0,
          inFlight: plan?.inFlight ?? [],
        };
        measuring.set(runId, { notice, journaled: plan?.journaled ?? new Set(), started: false });
        return false;
      }
      const m = measuring.get(runId);
      if (!m) return false;
      if ((event.type === 'step-start' || event.type === 'step-unknown') && !m.started) {
        // Replay is over: the first step runs for real (or an in-flight step is being resolved).
        m.started = true;
        save(runId, m.notice, false);
        return true;
      }
      if (event.type === 'step-end') {
        const tokens = event.usage ? event.usage.inputTokens + event.usage.outputTokens : 0;
        if (event.replayed) {
          m.notice.replayedSteps++;
          m.notice.savedTokens += tokens;
        } else if (m.journaled.has(event.stepId)) m.notice.reSpentTokens += tokens;
        if (m.started) save(runId, m.notice, true);
        return m.started;
      }
      if (event.type === 'run-end' || event.type === 'run-pause' || event.type === 'lease-lost') {
        measuring.delete(runId);
        // A drive that only replayed (and then paused or ended) still gets its notice.
        save(runId, m.notice, m.started);
        return true;
      }
      return false;
    },
  };
}
