/**
 * The journal, read once at resume and indexed for replay. Replay does no I/O: every question the
 * workflow asks ("was step fetch#1 recorded?") is a map lookup here.
 *
 * Invariants:
 * - results are matched by step id, never by seq (parallel steps complete in any order);
 * - `callIds[i]` is the id recorded for call index i; asking for another id there is non-determinism;
 * - external entries (signals, approval decisions) are kept in seq order and can be added while the
 *   run is being driven (absorbed after a lost CAS), so waits can be satisfied late;
 * - what replay has consumed is removed (a step's outcome and intent once replayed, a call index
 *   once checked): a long run's memory does not grow with the steps it has already replayed;
 * - a recorded outcome is kept as the store returned it and decoded when replay asks for it: loading
 *   reads only its call index (and signal seq), so a resume parses each payload once and holds no
 *   decoded copy of steps it has not reached yet.
 */
import type { JournalEntry } from '../../storage/types.ts';
import {
  type ApprovalDecideRecord,
  type ApprovalRequestRecord,
  type ChangeMarkRecord,
  readEntry,
  readOutcomeMarks,
  type SleepStartRecord,
  type StepEndRecord,
  type StepFailRecord,
  type StepStartRecord,
} from '../journal-format.ts';

/** A recorded outcome of a step, decoded. */
export type RecordedOutcome =
  | { kind: 'end'; seq: number; record: StepEndRecord }
  | { kind: 'fail'; seq: number; record: StepFailRecord };

/** A recorded outcome as loaded: the `step-end` or `step-fail` entry itself, payload not decoded yet. */
export type RecordedEntry = JournalEntry & { kind: 'step-end' | 'step-fail' };

/** Decode a recorded outcome (its payload is parsed here, when replay needs it). */
export function decodeOutcome(entry: RecordedEntry): RecordedOutcome {
  const decoded = readEntry(entry);
  if (decoded.kind === 'step-end') return { kind: 'end', seq: entry.seq, record: decoded.record };
  if (decoded.kind === 'step-fail') return { kind: 'fail', seq: entry.seq, record: decoded.record };
  throw new TypeError(`entry ${entry.seq} is a "${entry.kind}", not a step outcome`);
}

/** A received signal. */
export interface ReceivedSignal {
  seq: number;
  name: string;
  payloadText: string;
}

/** Everything replay needs, built from the journal. */
export interface ReplayState {
  /** Recorded outcomes by step id, undecoded (`decodeOutcome`). */
  outcomes: Map<string, RecordedEntry>;
  /** Intents (step-start) by step id; an intent without an outcome is an in-flight step. */
  intents: Map<string, { seq: number; record: StepStartRecord }>;
  sleeps: Map<string, { seq: number; record: SleepStartRecord }>;
  approvalRequests: Map<string, { seq: number; record: ApprovalRequestRecord }>;
  decisions: Map<string, { seq: number; record: ApprovalDecideRecord }>;
  signals: ReceivedSignal[];
  /** Signal seqs already consumed by a recorded wait. */
  consumedSignals: Set<number>;
  callIds: Map<number, { id: string; seq: number }>;
  /** Number of workflow calls the journal knows of (highest call index + 1). */
  recordedCalls: number;
  hasRunEnd: boolean;
  /**
   * `once` steps whose failure a `run-retry` cleared: their intent stays (its seq is the idempotency
   * key) but they run again instead of going to `onUnknown`, until a new intent is written.
   */
  retried: Set<string>;
  lastSeq: number;
  /** Patches taken (`change-mark` `patch:<id>`): not calls, never matched to a call index. */
  patches: Map<string, { seq: number; index: number }>;
  /** The latest agent definition change journaled, per agent (`change-mark` `definition:<agent>`). */
  definitions: Map<string, { seq: number; record: Extract<ChangeMarkRecord, { type: 'definition' }> }>;
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
    retried: new Set(),
    lastSeq: 0,
    patches: new Map(),
    definitions: new Map(),
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
    if (entry.kind === 'signal-receive') {
      state.signals.push({ seq: entry.seq, name: entry.key, payloadText: entry.payload });
      continue;
    }
    if (entry.kind === 'step-end' || entry.kind === 'step-fail') {
      const marks = readOutcomeMarks(entry);
      state.outcomes.set(entry.key, entry as RecordedEntry);
      if (marks.signalSeq !== undefined) state.consumedSignals.add(marks.signalSeq);
      noteCall(state, marks.index, entry.key, entry.seq);
      continue;
    }
    const decoded = readEntry(entry);
    switch (decoded.kind) {
      case 'step-start':
        state.intents.set(entry.key, { seq: entry.seq, record: decoded.record });
        state.retried.delete(entry.key);
        noteCall(state, decoded.record.index, entry.key, entry.seq);
        break;
      case 'sleep-start':
        state.sleeps.set(entry.key, { seq: entry.seq, record: decoded.record });
        noteCall(state, decoded.record.index, entry.key, entry.seq);
        break;
      case 'approval-request':
        state.approvalRequests.set(entry.key, { seq: entry.seq, record: decoded.record });
        noteCall(state, decoded.record.index, decoded.record.waitId, entry.seq);
        break;
      case 'approval-decide':
        if (!state.decisions.has(entry.key)) state.decisions.set(entry.key, { seq: entry.seq, record: decoded.record });
        break;
      case 'run-end':
        state.hasRunEnd = true;
        break;
      case 'run-retry':
        retryFailedSteps(state);
        break;
      case 'change-mark':
        if (decoded.record.type === 'patch' && !state.patches.has(decoded.record.patchId))
          state.patches.set(decoded.record.patchId, { seq: entry.seq, index: decoded.record.index });
        if (decoded.record.type === 'definition')
          state.definitions.set(decoded.record.agent, { seq: entry.seq, record: decoded.record });
        break;
      default:
        break;
    }
  }
}

/**
 * A `run-retry`: the run goes on, and every step that had failed runs again — its failure stays in
 * the journal for audit, but replay no longer answers with it. A signal wait that timed out gets a
 * fresh deadline; a `once` step keeps its first intent's idempotency key.
 */
function retryFailedSteps(state: ReplayState): void {
  state.hasRunEnd = false;
  for (const [id, outcome] of state.outcomes) {
    if (outcome.kind !== 'step-fail') continue;
    state.outcomes.delete(id);
    state.sleeps.delete(id);
    if (state.intents.has(id)) state.retried.add(id);
  }
}

/** Build the replay state of a journal. */
export function buildReplayState(entries: readonly JournalEntry[]): ReplayState {
  const state = emptyReplayState();
  addEntries(state, entries);
  return state;
}
