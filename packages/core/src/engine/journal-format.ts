/**
 * What the engine writes inside each journal payload. Payloads stay opaque to adapters; only this
 * file knows their fields. Short field names keep per-step bytes small (DESIGN §8: O(1) per step).
 *
 * Every entry produced by a workflow call carries `i`, the call index, so replay can check that the
 * code asks for the same step id at the same position (non-determinism detection).
 */
import { encode, type SerializedError, serializeError } from '../codec.ts';
import { NotSerializableError, PayloadTooLargeError } from '../errors.ts';

/** Token usage reported by a step (model calls). */
export interface StepUsage {
  inputTokens: number;
  outputTokens: number;
}

/** step-start: an intent, written before an `effect: 'once'` step runs. */
export interface StepStartPayload {
  i: number;
  /** Wall-clock time the step started. */
  t: number;
}

/** step-end: a recorded result. `v` is absent when the result was `undefined`. */
export interface StepEndPayload {
  i: number;
  v?: unknown;
  /** Attempts it took. */
  a: number;
  /** Start time and duration in ms. */
  t: number;
  d: number;
  u?: StepUsage;
}

/** step-fail: a recorded final failure. */
export interface StepFailPayload {
  i: number;
  e: SerializedError;
  a: number;
  t: number;
  d: number;
}

/** sleep-start: a durable timer, or the deadline of a signal wait (`w` null = no deadline). */
export interface SleepStartPayload {
  i: number;
  w: number | null;
}

/** signal-receive: a signal delivered to the run (may arrive before anyone waits). */
export interface SignalReceivePayload {
  v?: unknown;
}

/** approval-request: a pending human decision. */
export interface ApprovalRequestPayload {
  i: number;
  /** Step id of the wait that asked. */
  s: string;
  v?: unknown;
  /** Expiry time, and the decision taken then. */
  x: number | null;
  dd: boolean;
  /** Why the run pauses for it. */
  r: 'approval' | 'manual' | 'budget';
}

/** approval-decide: the audit record of a decision. */
export interface ApprovalDecidePayload {
  approved: boolean;
  by: string;
  reason?: string;
  at: number;
  /** Data the approver attached (e.g. an edited tool input or a reconciled result). */
  v?: unknown;
}

/** run-end: the final status. */
export interface RunEndPayload {
  status: 'completed' | 'failed' | 'cancelled';
  v?: unknown;
  e?: SerializedError;
}

/**
 * Encode `meta` plus an optional user value `v` into one JSON payload, checking that the value is
 * journal-safe and within the store's limit. `what` names run and step for error messages.
 */
export function encodePayload(
  meta: Record<string, unknown>,
  value: unknown,
  context: { runId: string; what: string; maxBytes: number },
): string {
  // The codec validates the value and measures it; splice its text in rather than encoding twice.
  const valueText = encode(value, context);
  const metaText = JSON.stringify(meta);
  if (valueText === '{}') return metaText;
  const text = metaText === '{}' ? valueText : `${metaText.slice(0, -1)},${valueText.slice(1)}`;
  return text;
}

/** Encode engine-only metadata (no user value). */
export function encodeMeta(meta: object): string {
  return JSON.stringify(meta);
}

/** Decode any engine payload. */
export function decodePayload<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** The journal form of an error thrown by user code (never throws). */
export function errorPayload(error: unknown): SerializedError {
  return serializeError(error);
}

/** True for errors that mean the value cannot be journaled at all (no retry can help). */
export function isEncodingError(error: unknown): boolean {
  return error instanceof NotSerializableError || error instanceof PayloadTooLargeError;
}
