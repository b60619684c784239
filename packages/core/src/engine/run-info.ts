/**
 * Read models for the management API: what `get`, `list` and `history` return. Decoding happens
 * here, in core; adapters never parse payloads.
 */
import { decode, type SerializedError } from '../codec.ts';
import type { JournalEntry, Lease, PauseReason, RunRecord, RunStatus, RunUsage } from '../storage/types.ts';
import { type ApprovalDecidePayload, type ApprovalRequestPayload, decodePayload, type StepUsage } from './journal-format.ts';

/** An approval waiting for a decision. */
export interface PendingApproval {
  approvalId: string;
  /** Step id of the wait. */
  stepId: string;
  details: unknown;
  requestedAt: number;
  expiresAt: number | null;
  defaultDecision: boolean;
  reason: 'approval' | 'manual' | 'budget';
}

/** What `runtime.get` tells about a run. */
export interface RunInfo {
  runId: string;
  workflow: string;
  status: RunStatus;
  pauseReason: PauseReason | null;
  wakeAt: number | null;
  step: { index: number; name: string | null };
  input: unknown;
  output?: unknown;
  error?: SerializedError;
  usage: RunUsage;
  lease: Lease | null;
  cancelRequested: boolean;
  forkedFrom: { runId: string; atSeq: number } | null;
  lastSeq: number;
  createdAt: number;
  updatedAt: number;
  /** Filled by `get` when the run waits for decisions. */
  pendingApprovals?: PendingApproval[];
}

/** One journal entry, decoded for people and tools. */
export interface HistoryItem {
  seq: number;
  kind: JournalEntry['kind'];
  key: string;
  at: number;
  /** Call index of the workflow call that wrote it. */
  index?: number;
  startedAt?: number;
  durationMs?: number;
  attempts?: number;
  usage?: StepUsage;
  error?: SerializedError;
  /** Result, signal payload, approval details or decision data (decoded). */
  value?: unknown;
  wakeAt?: number | null;
  approval?: { approved: boolean; by: string; reason?: string; at: number };
  status?: string;
}

/** Turn a header into `RunInfo`. */
export function toRunInfo(record: RunRecord): RunInfo {
  const info: RunInfo = {
    runId: record.runId,
    workflow: record.workflow,
    status: record.status,
    pauseReason: record.pauseReason,
    wakeAt: record.wakeAt,
    step: record.step,
    input: decode(record.input),
    usage: record.usage,
    lease: record.lease,
    cancelRequested: record.cancelRequested,
    forkedFrom: record.forkedFrom,
    lastSeq: record.lastSeq,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
  if (record.output !== null) info.output = decode(record.output);
  if (record.error !== null) info.error = decode<SerializedError>(record.error);
  return info;
}

/** Approvals requested and not yet decided, from a journal. */
export function pendingApprovals(entries: readonly JournalEntry[]): PendingApproval[] {
  const decided = new Set(entries.filter((e) => e.kind === 'approval-decide').map((e) => e.key));
  return entries
    .filter((e) => e.kind === 'approval-request' && !decided.has(e.key))
    .map((e) => {
      const p = decodePayload<ApprovalRequestPayload>(e.payload);
      return {
        approvalId: e.key,
        stepId: p.s,
        details: p.v,
        requestedAt: e.createdAt,
        expiresAt: p.x,
        defaultDecision: p.dd,
        reason: p.r,
      };
    });
}

/** Decode a journal for `history`. */
export function toHistory(entries: readonly JournalEntry[]): HistoryItem[] {
  return entries.map((entry) => {
    const item: HistoryItem = { seq: entry.seq, kind: entry.kind, key: entry.key, at: entry.createdAt };
    const p = decodePayload<Record<string, unknown>>(entry.payload);
    if (typeof p.i === 'number') item.index = p.i;
    if (typeof p.t === 'number') item.startedAt = p.t;
    if (typeof p.d === 'number') item.durationMs = p.d;
    if (typeof p.a === 'number') item.attempts = p.a;
    if (p.u) item.usage = p.u as StepUsage;
    if (p.e) item.error = p.e as SerializedError;
    if ('v' in p) item.value = p.v;
    if ('w' in p) item.wakeAt = p.w as number | null;
    if (typeof p.status === 'string') item.status = p.status;
    if (entry.kind === 'approval-request') item.wakeAt = (p as unknown as ApprovalRequestPayload).x;
    if (entry.kind === 'approval-decide') {
      const d = p as unknown as ApprovalDecidePayload;
      item.approval = { approved: d.approved, by: d.by, at: d.at, ...(d.reason !== undefined ? { reason: d.reason } : {}) };
    }
    return item;
  });
}
