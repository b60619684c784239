/**
 * Read models for the management API: what `get`, `list` and `history` return. Decoding happens
 * here, in core; adapters never parse payloads.
 */
import { decode, type SerializedError } from '../codec.ts';
import type { JournalEntry, Lease, PauseReason, RunRecord, RunStatus, RunUsage } from '../storage/types.ts';
import { type ChangeMarkRecord, type LeaseTakeRecord, type RunRetryRecord, readEntry, type StepUsage } from './journal-format.ts';

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
  /** The string map given at start (`sessionId`, `userId`…), or null. */
  metadata: Record<string, string> | null;
  /** When the ended run may be deleted (retention), or null. */
  expiresAt: number | null;
  /** 1, plus one per retry in place; `history` says who retried it and why. */
  attempt: number;
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
  /** For `step-end` / `step-fail`: the step's `label` option (e.g. the tool call id an agent's tool step served). */
  label?: string;
  error?: SerializedError;
  /** Result, signal payload, approval details or decision data (decoded). */
  value?: unknown;
  wakeAt?: number | null;
  approval?: { approved: boolean; by: string; reason?: string; at: number };
  status?: string;
  /** For `lease-take`: who took the run over from whom. */
  lease?: LeaseTakeRecord;
  /** For `run-retry`: who retried the failed run, why, when, and the attempt it started. */
  retry?: RunRetryRecord;
  /** For `change-mark`: the patch taken or the agent definition change the run went on with. */
  change?: ChangeMarkRecord;
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
    metadata: record.metadata ?? null,
    expiresAt: record.expiresAt ?? null,
    attempt: record.attempt ?? 1,
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
  const pending: PendingApproval[] = [];
  for (const e of entries) {
    if (e.kind !== 'approval-request' || decided.has(e.key)) continue;
    const decoded = readEntry(e);
    if (decoded.kind !== 'approval-request') continue;
    const r = decoded.record;
    pending.push({
      approvalId: e.key,
      stepId: r.waitId,
      details: r.details,
      requestedAt: e.createdAt,
      expiresAt: r.expiresAt,
      defaultDecision: r.defaultDecision,
      reason: r.reason,
    });
  }
  return pending;
}

/** Decode a journal for `history`. */
export function toHistory(entries: readonly JournalEntry[]): HistoryItem[] {
  return entries.map((entry) => {
    const item: HistoryItem = { seq: entry.seq, kind: entry.kind, key: entry.key, at: entry.createdAt };
    const decoded = readEntry(entry);
    const step = (r: { index: number; startedAt: number; durationMs?: number; attempts?: number; label?: string }): void => {
      item.index = r.index;
      item.startedAt = r.startedAt;
      if (r.durationMs !== undefined) item.durationMs = r.durationMs;
      if (r.attempts !== undefined) item.attempts = r.attempts;
      if (r.label !== undefined) item.label = r.label;
    };
    switch (decoded.kind) {
      case 'step-start':
        step(decoded.record);
        break;
      case 'step-end':
        step(decoded.record);
        if (decoded.record.usage) item.usage = decoded.record.usage;
        if (decoded.record.value !== undefined) item.value = decoded.record.value;
        break;
      case 'step-fail':
        step(decoded.record);
        item.error = decoded.record.error;
        break;
      case 'sleep-start':
        item.index = decoded.record.index;
        item.wakeAt = decoded.record.wakeAt;
        break;
      case 'signal-receive':
        if (decoded.value !== undefined) item.value = decoded.value;
        break;
      case 'approval-request':
        item.index = decoded.record.index;
        if (decoded.record.details !== undefined) item.value = decoded.record.details;
        item.wakeAt = decoded.record.expiresAt;
        break;
      case 'approval-decide': {
        const d = decoded.record;
        item.approval = { approved: d.approved, by: d.by, at: d.at, ...(d.reason !== undefined ? { reason: d.reason } : {}) };
        if (d.data !== undefined) item.value = d.data;
        break;
      }
      case 'run-end':
        item.status = decoded.record.status;
        if (decoded.record.output !== undefined) item.value = decoded.record.output;
        if (decoded.record.error) item.error = decoded.record.error;
        break;
      case 'lease-take':
        item.lease = decoded.record;
        break;
      case 'run-retry':
        item.retry = decoded.record;
        break;
      case 'change-mark':
        item.change = decoded.record;
        if (decoded.record.type === 'patch') item.index = decoded.record.index;
        break;
      default:
        break;
    }
    return item;
  });
}
