/**
 * What the engine writes inside each journal payload. Payloads stay opaque to adapters, and only this
 * file knows their fields: everyone else builds entries with the `*Entry` functions and reads them with
 * `readEntry`, in long names. Short field names keep per-step bytes small (DESIGN §8: O(1) per step).
 *
 * Invariants:
 * - every entry produced by a workflow call carries `i`, the call index, so replay can check that the
 *   code asks for the same step id at the same position (non-determinism detection);
 * - an entry built here never exceeds the store's `maxPayloadBytes`: user values are measured with
 *   their metadata (`PayloadTooLargeError` naming run and step otherwise), and error records are
 *   shrunk (messages truncated, causes dropped) until they fit, so a failure can always be recorded.
 */
import { byteLength, encode, type SerializedError, serializeError } from '../codec.ts';
import { NotSerializableError, PayloadTooLargeError } from '../errors.ts';
import type { EntryKind, JournalEntry, NewEntry } from '../storage/types.ts';

/** Token usage reported by a step (model calls). */
export interface StepUsage {
  inputTokens: number;
  outputTokens: number;
}

/** Kinds other parties append to a run someone else drives (absorbed instead of losing the run). */
export const EXTERNAL_KINDS: ReadonlySet<EntryKind> = new Set<EntryKind>(['signal-receive', 'approval-decide']);

/** Longest error message kept in the journal (characters); longer ones are cut with a marker. */
export const MAX_ERROR_MESSAGE = 4096;

/** Where a payload belongs, for error messages and limits. */
export interface PayloadContext {
  runId: string;
  /** e.g. `result of step "fetch#0"`. */
  what: string;
  maxBytes: number;
}

// ---------------------------------------------------------------------------------------------
// Decoded forms (long names). The raw payloads below are private to this file.

/** A recorded step result. */
export interface StepEndRecord {
  index: number;
  value: unknown;
  attempts: number;
  startedAt: number;
  durationMs: number;
  usage?: StepUsage;
  /** For a signal wait: the seq of the signal it consumed. */
  signalSeq?: number;
  /** The step's `label` option (what the call served, e.g. a model's tool call id). */
  label?: string;
}

/** A recorded final step failure. */
export interface StepFailRecord {
  index: number;
  error: SerializedError;
  attempts: number;
  startedAt: number;
  durationMs: number;
  /** The step's `label` option. */
  label?: string;
}

/** An intent, written before an `effect: 'once'` step runs. */
export interface StepStartRecord {
  index: number;
  startedAt: number;
  /**
   * Set on the intent written when a retried run runs a failed `once` step again: the seq of the
   * step's first intent, whose idempotency key (`runId:seq`) the new attempt keeps.
   */
  keySeq?: number;
}

/** A durable timer, or the deadline of a signal wait (`wakeAt` null = no deadline). */
export interface SleepStartRecord {
  index: number;
  wakeAt: number | null;
}

/** A pending human decision. */
export interface ApprovalRequestRecord {
  index: number;
  /** Step id of the wait that asked. */
  waitId: string;
  details: unknown;
  expiresAt: number | null;
  defaultDecision: boolean;
  reason: 'approval' | 'manual' | 'budget';
}

/** The audit record of a decision. */
export interface ApprovalDecideRecord {
  approved: boolean;
  by: string;
  reason?: string;
  at: number;
  /** Data the approver attached (e.g. an edited tool input or a reconciled result). */
  data?: unknown;
}

/** A new owner took the run over (the fence: the previous owner's next append fails). */
export interface LeaseTakeRecord {
  owner: string;
  previousOwner: string | null;
  expiresAt: number;
}

/** The audit record of a retry of a failed run (`runtime.retry`): who, why, when, which attempt. */
export interface RunRetryRecord {
  by: string;
  reason?: string;
  at: number;
  /** The attempt this retry starts (2 for the first retry). */
  attempt: number;
}

/** The final status. */
export interface RunEndRecord {
  status: 'completed' | 'failed' | 'cancelled';
  output?: unknown;
  error?: SerializedError;
}

/** The parts of an agent definition the request hash covers (ADR 0101). */
export type DefinitionPart = 'instructions' | 'tools' | 'output';

/**
 * `change-mark`: a code change the run went through. Not a call: replay never matches it to a call
 * index, so retiring a patch (deleting the `ctx.patched` call) leaves marked runs compatible.
 * - `patch`: `ctx.patched(patchId)` was first asked at call index `index` and took the new path;
 * - `definition`: an agent resumed under a changed definition and went on (`onDefinitionChange: 'continue'`).
 */
export type ChangeMarkRecord =
  | { type: 'patch'; patchId: string; index: number }
  | {
      type: 'definition';
      agent: string;
      /** Definition hash in force for the recorded turns, and the one the run goes on with. */
      previous: string;
      current: string;
      parts: DefinitionPart[];
      tools: { added: string[]; removed: string[]; changed: string[] };
      /** The new definition's part hashes (opaque here; the agent layer compares the next change with it). */
      snapshot: unknown;
    };

/** A journal entry, decoded. */
export type DecodedEntry =
  | { kind: 'run-start'; workflow: string | undefined }
  | { kind: 'lease-take'; record: LeaseTakeRecord }
  | { kind: 'step-start'; record: StepStartRecord }
  | { kind: 'step-end'; record: StepEndRecord }
  | { kind: 'step-fail'; record: StepFailRecord }
  | { kind: 'sleep-start'; record: SleepStartRecord }
  | { kind: 'signal-receive'; value: unknown }
  | { kind: 'approval-request'; record: ApprovalRequestRecord }
  | { kind: 'approval-decide'; record: ApprovalDecideRecord }
  | { kind: 'run-end'; record: RunEndRecord }
  | { kind: 'change-mark'; record: ChangeMarkRecord }
  | { kind: 'run-retry'; record: RunRetryRecord };

// ---------------------------------------------------------------------------------------------
// Encoding

/** `meta` plus an optional user value `v`, measured as a whole against the store's limit. */
function withValue(meta: Record<string, unknown>, value: unknown, context: PayloadContext): string {
  // The codec validates the value; splice its text in rather than encoding twice.
  const valueText = encode(value, { runId: context.runId, what: context.what });
  const metaText = JSON.stringify(meta);
  const text = valueText === '{}' ? metaText : metaText === '{}' ? valueText : `${metaText.slice(0, -1)},${valueText.slice(1)}`;
  assertFits(text, context);
  return text;
}

function assertFits(text: string, context: PayloadContext): void {
  if (text.length * 3 <= context.maxBytes) return;
  const bytes = byteLength(text);
  if (bytes > context.maxBytes)
    throw new PayloadTooLargeError(
      `[@cairn/core] run "${context.runId}": ${context.what} is ${bytes} bytes as a journal entry, over the store's limit of ${context.maxBytes} bytes`,
    );
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters cut]`;
}

/** Bound an error record: messages cut to `max` characters, names to 200, at most `depth` causes. */
function boundError(error: SerializedError, max: number, depth: number): SerializedError {
  const out: SerializedError = { name: cut(error.name, 200), message: cut(error.message, max) };
  if (error.code !== undefined) out.code = error.code;
  if (error.retryable !== undefined) out.retryable = error.retryable;
  if (error.cause && depth > 0) out.cause = boundError(error.cause, max, depth - 1);
  return out;
}

/**
 * The journal form of any thrown value, bounded so that `build(error)` fits `maxBytes`: messages are
 * cut (first to MAX_ERROR_MESSAGE characters, then shorter), causes dropped, until it fits.
 */
export function boundedError(
  error: unknown,
  maxBytes: number,
  build: (error: SerializedError) => string = (e) => JSON.stringify(e),
): { error: SerializedError; text: string } {
  const serialized = serializeError(error);
  let best = serialized;
  for (const [max, depth] of [
    [MAX_ERROR_MESSAGE, 3],
    [1024, 1],
    [256, 0],
    [64, 0],
    [0, 0],
  ] as const) {
    best = boundError(serialized, max, depth);
    const text = build(best);
    if (byteLength(text) <= maxBytes) return { error: best, text };
  }
  return { error: best, text: build(best) };
}

/** The journal form of an error thrown by user code, bounded to MAX_ERROR_MESSAGE (never throws). */
export function errorPayload(error: unknown): SerializedError {
  return boundError(serializeError(error), MAX_ERROR_MESSAGE, 3);
}

/** True for errors that mean the value cannot be journaled at all (no retry can help). */
export function isEncodingError(error: unknown): boolean {
  return error instanceof NotSerializableError || error instanceof PayloadTooLargeError;
}

function entry(kind: EntryKind, key: string, payload: string, createdAt: number): NewEntry {
  return { kind, key, payload, createdAt };
}

/** `run-start`: the first entry of every journal. */
export function runStartEntry(workflow: string, now: number): NewEntry {
  return entry('run-start', 'run', JSON.stringify({ workflow }), now);
}

/** `lease-take`: a resumer took a running run over; fences the previous owner's appends. */
export function leaseTakeEntry(take: LeaseTakeRecord, now: number): NewEntry {
  return entry('lease-take', 'lease', JSON.stringify({ o: take.owner, p: take.previousOwner, x: take.expiresAt }), now);
}

/** `step-start`: the intent of a `once` step. */
export function stepStartEntry(stepId: string, index: number, now: number, keySeq?: number): NewEntry {
  const meta: Record<string, unknown> = { i: index, t: now };
  if (keySeq !== undefined) meta.k = keySeq;
  return entry('step-start', stepId, JSON.stringify(meta), now);
}

/** `step-end`: a step's result (measured with its metadata). */
export function stepEndEntry(
  stepId: string,
  step: { index: number; attempts: number; startedAt: number; usage?: StepUsage; signalSeq?: number; label?: string | undefined },
  value: unknown,
  context: PayloadContext,
  now: number,
): NewEntry {
  const meta: Record<string, unknown> = { i: step.index, a: step.attempts, t: step.startedAt, d: now - step.startedAt };
  if (step.usage) meta.u = step.usage;
  if (step.signalSeq !== undefined) meta.sg = step.signalSeq;
  if (step.label !== undefined) meta.l = step.label;
  return entry('step-end', stepId, withValue(meta, value, context), now);
}

/** `step-fail`: a step's final failure; the error is shrunk until the entry fits. */
export function stepFailEntry(
  stepId: string,
  step: { index: number; attempts: number; startedAt: number; label?: string | undefined },
  error: unknown,
  maxBytes: number,
  now: number,
): { entry: NewEntry; error: SerializedError } {
  const meta: Record<string, unknown> = { i: step.index, a: step.attempts, t: step.startedAt, d: now - step.startedAt };
  if (step.label !== undefined) meta.l = step.label;
  const bounded = boundedError(error, maxBytes, (e) => JSON.stringify({ ...meta, e }));
  return { entry: entry('step-fail', stepId, bounded.text, now), error: bounded.error };
}

/** `sleep-start`: a durable timer (or a signal wait's deadline). */
export function sleepStartEntry(stepId: string, index: number, wakeAt: number | null, now: number): NewEntry {
  return entry('sleep-start', stepId, JSON.stringify({ i: index, w: wakeAt }), now);
}

/** `signal-receive`: a signal and its payload. */
export function signalReceiveEntry(name: string, value: unknown, context: PayloadContext, now: number): NewEntry {
  return entry('signal-receive', name, withValue({}, value, context), now);
}

/** `approval-request`: a pending decision and what the approver should see. */
export function approvalRequestEntry(
  approvalId: string,
  request: Omit<ApprovalRequestRecord, 'details'>,
  details: unknown,
  context: PayloadContext,
  now: number,
): NewEntry {
  const meta = { i: request.index, s: request.waitId, x: request.expiresAt, dd: request.defaultDecision, r: request.reason };
  return entry('approval-request', approvalId, withValue(meta, details, context), now);
}

/** `approval-decide`: the audit record of a decision (measured whole: `by` and `reason` count). */
export function approvalDecideEntry(
  approvalId: string,
  decision: Omit<ApprovalDecideRecord, 'data'>,
  data: unknown,
  context: PayloadContext,
  now: number,
): NewEntry {
  const meta = {
    approved: decision.approved,
    by: decision.by,
    at: decision.at,
    ...(decision.reason !== undefined ? { reason: decision.reason } : {}),
  };
  return entry('approval-decide', approvalId, withValue(meta, data, context), now);
}

/** `run-retry`: a failed run continues in place (written with the header back to `running`). */
export function runRetryEntry(retry: RunRetryRecord, now: number): NewEntry {
  const meta: Record<string, unknown> = { by: retry.by, at: retry.at, n: retry.attempt };
  if (retry.reason !== undefined) meta.reason = retry.reason;
  return entry('run-retry', 'run', JSON.stringify(meta), now);
}

/** `run-end` of a completed run (measured: the output must fit with its status). */
export function runCompletedEntry(output: unknown, context: PayloadContext, now: number): NewEntry {
  return entry('run-end', 'run', withValue({ status: 'completed' }, output, context), now);
}

/** `run-end` of a failed or cancelled run; the error is shrunk until the entry fits. */
export function runEndErrorEntry(
  status: 'failed' | 'cancelled',
  error: unknown,
  maxBytes: number,
  now: number,
): { entry: NewEntry; error: SerializedError } {
  const bounded = boundedError(error, maxBytes, (e) => JSON.stringify({ status, e }));
  return { entry: entry('run-end', 'run', bounded.text, now), error: bounded.error };
}

/** `change-mark` of a patch taken (`patch:<id>`). */
export function patchMarkEntry(patchId: string, index: number, now: number): NewEntry {
  return entry('change-mark', `patch:${patchId}`, JSON.stringify({ t: 'p', i: index }), now);
}

/** `change-mark` of an agent definition change (`definition:<agent>`); names and hashes only, small. */
export function definitionMarkEntry(
  change: Extract<ChangeMarkRecord, { type: 'definition' }>,
  context: PayloadContext,
  now: number,
): NewEntry {
  const text = JSON.stringify({
    t: 'd',
    o: change.previous,
    n: change.current,
    p: change.parts,
    tc: change.tools,
    s: change.snapshot,
  });
  assertFits(text, context);
  return entry('change-mark', `definition:${change.agent}`, text, now);
}

// ---------------------------------------------------------------------------------------------
// Decoding

// biome-ignore lint/suspicious/noExplicitAny: raw payloads are read field by field right here
type Raw = Record<string, any>;

/** Decode an entry's payload into its long-named form. */
export function readEntry(journalEntry: Pick<JournalEntry, 'kind' | 'payload' | 'key'>): DecodedEntry {
  const p = JSON.parse(journalEntry.payload) as Raw;
  switch (journalEntry.kind) {
    case 'run-start':
      return { kind: 'run-start', workflow: p.workflow };
    case 'lease-take':
      return { kind: 'lease-take', record: { owner: p.o, previousOwner: p.p ?? null, expiresAt: p.x } };
    case 'step-start':
      return {
        kind: 'step-start',
        record: { index: p.i, startedAt: p.t, ...(typeof p.k === 'number' ? { keySeq: p.k } : {}) },
      };
    case 'step-end':
      return {
        kind: 'step-end',
        record: {
          index: p.i,
          value: p.v,
          attempts: p.a,
          startedAt: p.t,
          durationMs: p.d,
          ...(p.u ? { usage: p.u as StepUsage } : {}),
          ...(typeof p.sg === 'number' ? { signalSeq: p.sg } : {}),
          ...(typeof p.l === 'string' ? { label: p.l } : {}),
        },
      };
    case 'step-fail':
      return {
        kind: 'step-fail',
        record: {
          index: p.i,
          error: p.e,
          attempts: p.a,
          startedAt: p.t,
          durationMs: p.d,
          ...(typeof p.l === 'string' ? { label: p.l } : {}),
        },
      };
    case 'sleep-start':
      return { kind: 'sleep-start', record: { index: p.i, wakeAt: p.w } };
    case 'signal-receive':
      return { kind: 'signal-receive', value: p.v };
    case 'approval-request':
      return {
        kind: 'approval-request',
        record: { index: p.i, waitId: p.s, details: p.v, expiresAt: p.x, defaultDecision: p.dd, reason: p.r },
      };
    case 'approval-decide':
      return {
        kind: 'approval-decide',
        record: {
          approved: p.approved,
          by: p.by,
          at: p.at,
          ...(p.reason !== undefined ? { reason: p.reason } : {}),
          ...('v' in p ? { data: p.v } : {}),
        },
      };
    case 'run-end':
      return {
        kind: 'run-end',
        record: { status: p.status, ...('v' in p ? { output: p.v } : {}), ...(p.e ? { error: p.e } : {}) },
      };
    case 'run-retry':
      return {
        kind: 'run-retry',
        record: { by: p.by, at: p.at, attempt: p.n, ...(p.reason !== undefined ? { reason: p.reason } : {}) },
      };
    case 'change-mark': {
      const key = journalEntry.key;
      if (p.t === 'p') return { kind: 'change-mark', record: { type: 'patch', patchId: key.slice('patch:'.length), index: p.i } };
      return {
        kind: 'change-mark',
        record: {
          type: 'definition',
          agent: key.slice('definition:'.length),
          previous: p.o,
          current: p.n,
          parts: p.p ?? [],
          tools: p.tc ?? { added: [], removed: [], changed: [] },
          snapshot: p.s,
        },
      };
    }
  }
}

/** What loading a journal needs of a step outcome before it is replayed: its call index and signal seq. */
export interface OutcomeMarks {
  index: number;
  signalSeq?: number;
}

const COMMA = 0x2c;
const CLOSE = 0x7d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const INDEX_PREFIX = '{"i":';

/**
 * The marks of a `step-end` or `step-fail` entry without parsing its payload: both are written by
 * this file with `i` first (`{"i":12,…`) and `sg` only on signal waits. Anything else — another
 * shape, or `"sg":` anywhere in the text (also inside the value) — is parsed in full, so the answer
 * is always the one `readEntry` would give.
 */
export function readOutcomeMarks(journalEntry: Pick<JournalEntry, 'payload'>): OutcomeMarks {
  const text = journalEntry.payload;
  if (text.startsWith(INDEX_PREFIX) && !text.includes('"sg":')) {
    let index = 0;
    let position = INDEX_PREFIX.length;
    // At most 15 digits: every such integer is exact as a double.
    for (; position < text.length && position < INDEX_PREFIX.length + 15; position++) {
      const code = text.charCodeAt(position);
      if (code < DIGIT_0 || code > DIGIT_9) break;
      index = index * 10 + (code - DIGIT_0);
    }
    const digits = position - INDEX_PREFIX.length;
    const next = text.charCodeAt(position);
    const canonical = digits === 1 || (digits > 1 && text.charCodeAt(INDEX_PREFIX.length) !== DIGIT_0);
    if (canonical && (next === COMMA || next === CLOSE) && text.charCodeAt(text.length - 1) === CLOSE) return { index };
  }
  const p = JSON.parse(text) as Raw;
  return typeof p.sg === 'number' ? { index: p.i, signalSeq: p.sg } : { index: p.i };
}

/** The value carried by a `signal-receive` payload. */
export function readSignalValue(payload: string): unknown {
  return (JSON.parse(payload) as Raw).v;
}
