/**
 * The journal, read once at resume and indexed for replay. Replay does no I/O: every question the
 * workflow asks ("was step fetch#1 recorded?") is a map lookup here.
 *
 * Invariants:
 * - results are matched by step id, never by seq (parallel steps complete in any order);
 * - `callIds[i]` is the id recorded for call index i; asking for another id there is non-determinism;
 * - external entries (signals, approval decisions) are kept in seq order and can be added while the
 *   run is being driven (absorbed after a lost CAS), so waits can be satisfied late.
 */
import type { JournalEntry } from '../storage/types.ts';
import {
  type ApprovalDecidePayload,
  type ApprovalRequestPayload,
  decodePayload,
  type SleepStartPayload,
  type StepEndPayload,
  type StepFailPayload,
  type StepStartPayload,
} from './journal-format.ts';

/** A recorded outcome of a step. */
export type RecordedOutcome =
  | { kind: 'end'; seq: number; payload: StepEndPayload }
  | { kind: 'fail'; seq: number; payload: StepFailPayload };

/** A received signal. */
export interface ReceivedSignal {
  seq: number;
  name: string;
  payloadText: string;
}

/** Everything replay needs, built from the journal. */
export interface ReplayState {
  outcomes: Map<string, RecordedOutcome>;
  /** Intents (step-start) by step id; an intent without an outcome is an in-flight step. */
  intents: Map<string, { seq: number; payload: StepStartPayload }>;
  sleeps: Map<string, { seq: number; payload: SleepStartPayload }>;
  approvalRequests: Map<string, { seq: number; payload: ApprovalRequestPayload }>;
  decisions: Map<string, { seq: number; payload: ApprovalDecidePayload }>;
  signals: ReceivedSignal[];
  /** Signal seqs already consumed by a recorded wait. */
  consumedSignals: Set<number>;
  callIds: Map<number, { id: string; seq: number }>;
  /** Number of workflow calls the journal knows of (highest call index + 1). */
  recordedCalls: number;
  hasRunEnd: boolean;
  lastSeq: number;
}

/** An empty replay state (a new run). */
export function emptyReplayState(): ReplayState {
  return {
    outcomes: new Map(),
    intents: new Map(),
    sleeps: new Map(),
    approvalRequests: new Map(),
    decisions: new Map(),
    signals: [],
    consumedSignals: new Set(),
    callIds: new Map(),
    recordedCalls: 0,
    hasRunEnd: false,
    lastSeq: 0,
  };
}

function noteCall(state: ReplayState, index: number, id: string, seq: number): void {
  if (!state.callIds.has(index)) state.callIds.set(index, { id, seq });
  if (index + 1 > state.recordedCalls) state.recordedCalls = index + 1;
}

/** Add entries (in seq order) to the state. Used at load and when absorbing external entries. */
export function addEntries(state: ReplayState, entries: readonly JournalEntry[]): void {
  for (const entry of entries) {
    state.lastSeq = Math.max(state.lastSeq, entry.seq);
    switch (entry.kind) {
      case 'step-start': {
        const payload = decodePayload<StepStartPayload>(entry.payload);
        state.intents.set(entry.key, { seq: entry.seq, payload });
        noteCall(state, payload.i, entry.key, entry.seq);
        break;
      }
      case 'step-end': {
        const payload = decodePayload<StepEndPayload & { sg?: number }>(entry.payload);
        state.outcomes.set(entry.key, { kind: 'end', seq: entry.seq, payload });
        if (typeof payload.sg === 'number') state.consumedSignals.add(payload.sg);
        noteCall(state, payload.i, entry.key, entry.seq);
        break;
      }
      case 'step-fail': {
        const payload = decodePayload<StepFailPayload>(entry.payload);
        state.outcomes.set(entry.key, { kind: 'fail', seq: entry.seq, payload });
        noteCall(state, payload.i, entry.key, entry.seq);
        break;
      }
      case 'sleep-start': {
        const payload = decodePayload<SleepStartPayload>(entry.payload);
        state.sleeps.set(entry.key, { seq: entry.seq, payload });
        noteCall(state, payload.i, entry.key, entry.seq);
        break;
      }
      case 'approval-request': {
        const payload = decodePayload<ApprovalRequestPayload>(entry.payload);
        state.approvalRequests.set(entry.key, { seq: entry.seq, payload });
        noteCall(state, payload.i, payload.s, entry.seq);
        break;
      }
      case 'approval-decide':
        if (!state.decisions.has(entry.key)) {
          state.decisions.set(entry.key, { seq: entry.seq, payload: decodePayload<ApprovalDecidePayload>(entry.payload) });
        }
        break;
      case 'signal-receive':
        state.signals.push({ seq: entry.seq, name: entry.key, payloadText: entry.payload });
        break;
      case 'run-end':
        state.hasRunEnd = true;
        break;
      case 'run-start':
        break;
    }
  }
}

/** Build the replay state of a journal. */
export function buildReplayState(entries: readonly JournalEntry[]): ReplayState {
  const state = emptyReplayState();
  addEntries(state, entries);
  return state;
}

/** Kinds other parties append to a run someone else drives (absorbed instead of losing the run). */
export const EXTERNAL_KINDS: ReadonlySet<string> = new Set(['signal-receive', 'approval-decide']);
