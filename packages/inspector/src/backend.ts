/**
 * What the inspector reads and does, as one small interface: the page talks to it, whatever holds
 * the runs. `cairn ui` serves it over HTTP (a runtime over a store the CLI opened, or a Durable
 * Objects run host over its HTTP API); `mountInspector` calls a runtime in the page directly.
 */
import type { HistoryItem, RunInfo, RunStatus, StoreStats } from '@cairn/core';

/** A query of the run list. */
export interface RunQuery {
  status?: RunStatus[];
  workflow?: string;
  /** Exact match of every pair. */
  metadata?: Record<string, string>;
  /** Only runs created at or after this time (ms since the epoch). */
  createdAfter?: number;
  /** One run by id (a search box): the page holds that run or nothing. */
  runId?: string;
  limit?: number;
  /** The store's cursor from the previous page. */
  cursor?: string;
}

/** A run with its journal, as the run page shows it. */
export interface RunView {
  info: RunInfo;
  history: HistoryItem[];
}

/** Who decided, and why (the audit record of an approval, a retry, a cancel). */
export interface Who {
  by: string;
  reason?: string;
}

/** The inspector's reach over runs. */
export interface InspectorBackend {
  /** Where the runs are, for the page's header (`sqlite`, `indexeddb`, `durable-objects run host`…). */
  readonly name: string;
  /** Whether runs can be driven here (workflow code loaded, or a host that drives its own runs). */
  readonly canDrive: boolean;
  list(query: RunQuery): Promise<{ runs: RunInfo[]; cursor?: string }>;
  stats(): Promise<StoreStats>;
  run(runId: string): Promise<RunView>;
  approve(runId: string, approvalId: string, decision: Who & { approved: boolean }): Promise<void>;
  /** Continue a failed run in place. Needs `canDrive`. */
  retry(runId: string, who: Who): Promise<void>;
  /** A new run with the journal up to `atSeq`; returns its id. Needs `canDrive`. */
  fork(runId: string, atSeq: number): Promise<string>;
  cancel(runId: string, reason?: string): Promise<void>;
  signal(runId: string, name: string, payload: unknown): Promise<void>;
  delete(runId: string, force: boolean): Promise<boolean>;
}

/** The error an action gets when the workflow code is not loaded. */
export class NeedsWorkflowsError extends Error {
  readonly code = 'needs-workflows';
  constructor(action: string) {
    super(`[@cairn/inspector] ${action} needs the workflow code: start cairn ui with --workflows <module>`);
    this.name = 'NeedsWorkflowsError';
  }
}
