/**
 * Entries from outside a run's drive: signals and approval decisions. Through the local drive when
 * this runtime drives the run (its queue serializes them with the steps), else by CAS append; a run
 * paused for input is woken.
 *
 * Invariants:
 * - an entry is measured and encoded before anything is sent: an oversized signal or decision is
 *   refused to its caller and never reaches (or stops) anyone's drive;
 * - one decision per approval: concurrent `approve` calls for one approval in this runtime are
 *   serialized, so exactly one is journaled and the others get `ApprovalAlreadyDecidedError`; across
 *   runtimes the CAS on `lastSeq` makes the loser re-read and see the decision.
 */
import {
  ApprovalAlreadyDecidedError,
  ApprovalNotFoundError,
  CairnError,
  InvalidArgumentError,
  LeaseHeldError,
  RunNotFoundError,
} from '../../errors.ts';
import { assertRunId } from '../../storage/run-id.ts';
import type { DurableStore, JournalEntry, NewEntry, RunRecord } from '../../storage/types.ts';
import type { Clock } from '../clock.ts';
import type { Drive } from '../drive/run-driver.ts';
import type { RunEvent } from '../events.ts';
import { approvalDecideEntry, signalReceiveEntry } from '../journal-format.ts';
import { assertName } from '../workflow.ts';

/** What `approve` takes. */
export interface ApprovalInput {
  approved: boolean;
  /** Who decided (user id, email). Journaled for audit. */
  by: string;
  reason?: string;
  /** Data for the workflow (e.g. edited arguments, or `{ result }` for an unknown outcome). */
  data?: unknown;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
/** Longest `by` of a decision (characters). */
const MAX_BY = 256;
/** Longest `reason` of a decision (characters). */
const MAX_REASON = 4096;

/** Delivery of signals and decisions for one runtime. */
export interface ExternalDelivery {
  signal(runId: string, name: string, payload: unknown): Promise<void>;
  approve(runId: string, approvalId: string, decision: ApprovalInput): Promise<void>;
}

/** Create the delivery of a runtime. */
export function createExternalDelivery(options: {
  store: DurableStore;
  clock: Clock;
  drives: ReadonlyMap<string, Drive>;
  emit(event: RunEvent): void;
  /** Resume a run woken for input, if this runtime can (errors swallowed). */
  resumeQuietly(runId: string): Promise<void>;
  hasWorkflow(name: string): boolean;
}): ExternalDelivery {
  const { store, clock, drives } = options;
  const deciding = new Set<string>();

  async function deliver(runId: string, entry: NewEntry, validate?: (entries: JournalEntry[]) => void): Promise<void> {
    for (let tries = 0; tries < 20; tries++) {
      const local = drives.get(runId);
      if (local && !validate) return local.deliver([entry]);
      const record = await store.getRun(runId);
      if (!record) throw new RunNotFoundError(`[@cairn/core] run "${runId}" not found in store "${store.name}"`, { runId });
      if (TERMINAL.has(record.status))
        throw new InvalidArgumentError(
          `[@cairn/core] run "${runId}" is ${record.status}; it takes no more signals or decisions`,
          {
            runId,
          },
        );
      if (validate) validate(await store.readEntries(runId));
      const current = drives.get(runId);
      if (current) return current.deliver([entry]);
      try {
        const next = await store.append(runId, record.lastSeq, [entry], { updatedAt: clock.now() });
        // A sleeping run reads the signal when it reaches its wait; runs waiting for input wake now.
        if (next.status === 'paused' && next.pauseReason !== 'sleep') await wake(next);
        return;
      } catch (error) {
        if (!CairnError.is(error, 'storage-conflict')) throw error;
      }
    }
    throw new LeaseHeldError(`[@cairn/core] run "${runId}": could not deliver "${entry.key}" (the journal kept moving)`, {
      runId,
    });
  }

  async function wake(record: RunRecord): Promise<void> {
    // Make the run due for any resumer, then resume it here if this runtime can.
    await store.updateRun(record.runId, record.version, { updatedAt: clock.now(), wakeAt: clock.now() }).catch(() => undefined);
    if (options.hasWorkflow(record.workflow)) await options.resumeQuietly(record.runId);
  }

  return {
    async signal(runId, name, payload) {
      assertRunId(runId);
      assertName(name, 'signal');
      const now = clock.now();
      const context = { runId, what: `payload of signal "${name}"`, maxBytes: store.limits.maxPayloadBytes };
      await deliver(runId, signalReceiveEntry(name, payload, context, now));
    },

    async approve(runId, approvalId, decision) {
      assertRunId(runId);
      if (
        typeof decision !== 'object' ||
        decision === null ||
        typeof decision.approved !== 'boolean' ||
        typeof decision.by !== 'string' ||
        decision.by.length === 0 ||
        decision.by.length > MAX_BY ||
        (decision.reason !== undefined && (typeof decision.reason !== 'string' || decision.reason.length > MAX_REASON))
      ) {
        throw new InvalidArgumentError(
          `[@cairn/core] run "${runId}": approve needs { approved: boolean, by: string of 1-${MAX_BY} characters, reason?: string of at most ${MAX_REASON} }`,
          { runId },
        );
      }
      if (typeof approvalId !== 'string' || approvalId.length === 0 || approvalId.length > 200)
        throw new InvalidArgumentError(`[@cairn/core] run "${runId}": invalid approval id`, { runId });
      const now = clock.now();
      const record = {
        approved: decision.approved,
        by: decision.by,
        at: now,
        ...(decision.reason !== undefined ? { reason: decision.reason } : {}),
      };
      const context = { runId, what: `decision of approval "${approvalId}"`, maxBytes: store.limits.maxPayloadBytes };
      const entry = approvalDecideEntry(approvalId, record, decision.data, context, now);
      const key = `${runId}\u0000${approvalId}`;
      if (deciding.has(key))
        throw new ApprovalAlreadyDecidedError(
          `[@cairn/core] run "${runId}": approval "${approvalId}" is being decided by another call`,
          { runId },
        );
      deciding.add(key);
      try {
        await deliver(runId, entry, (entries) => {
          if (!entries.some((e) => e.kind === 'approval-request' && e.key === approvalId))
            throw new ApprovalNotFoundError(`[@cairn/core] run "${runId}" has no approval "${approvalId}"`, { runId });
          if (entries.some((e) => e.kind === 'approval-decide' && e.key === approvalId))
            throw new ApprovalAlreadyDecidedError(`[@cairn/core] run "${runId}": approval "${approvalId}" was already decided`, {
              runId,
            });
        });
      } finally {
        deciding.delete(key);
      }
      options.emit({ type: 'approval-decide', runId, at: now, approvalId, approved: decision.approved, by: decision.by });
    },
  };
}
