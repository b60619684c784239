/**
 * Checks both stores run on every value before writing it, so a refused call writes nothing and
 * both stores refuse the same things:
 * - the contract's own checks (run ids, counters, payload sizes, metadata, expiresAt, attempt) are
 *   the adapter kit's (`@cairn/core/adapter`), run before these;
 * - statuses and entry kinds must be known ones (stats and listing index them);
 * - strings must be well-formed UTF-16: both stores keep text as UTF-8, where a lone surrogate
 *   would silently become U+FFFD and a replayed value would differ from the recorded one (ADR 0035).
 */
import { ENTRY_KINDS, InvalidArgumentError, type NewEntry, RUN_STATUSES, type RunPatch, type RunRecord } from '@cairn/core';
import { messages } from './adapter.ts';

function assertText(runId: string, what: string, value: unknown, nullable: boolean): void {
  if (value === null && nullable) return;
  if (typeof value !== 'string') {
    throw new InvalidArgumentError(messages.message(runId, `${what} must be a string${nullable ? ' or null' : ''}`));
  }
  if (!value.isWellFormed()) {
    throw new InvalidArgumentError(messages.message(runId, `${what} holds a lone surrogate, which UTF-8 storage cannot keep`));
  }
}

function assertNumber(runId: string, what: string, value: unknown, nullable: boolean): void {
  if (value === null && nullable) return;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidArgumentError(messages.message(runId, `${what} must be a finite number${nullable ? ' or null' : ''}`));
  }
}

// One checker per header field; fields absent from a patch are not checked.
const FIELD_CHECKS: Record<string, (runId: string, value: unknown) => void> = {
  status(runId, value) {
    if (!RUN_STATUSES.includes(value as RunRecord['status'])) {
      throw new InvalidArgumentError(messages.message(runId, `unknown status ${JSON.stringify(String(value).slice(0, 40))}`));
    }
  },
  pauseReason: (runId, value) => assertText(runId, 'pauseReason', value, true),
  wakeAt: (runId, value) => assertNumber(runId, 'wakeAt', value, true),
  lease(runId, value) {
    if (value === null) return;
    const lease = value as RunRecord['lease'];
    assertText(runId, 'lease.owner', lease?.owner, false);
    assertNumber(runId, 'lease.expiresAt', lease?.expiresAt, false);
  },
  input: (runId, value) => assertText(runId, 'input', value, false),
  output: (runId, value) => assertText(runId, 'output', value, true),
  error: (runId, value) => assertText(runId, 'error', value, true),
  usage(runId, value) {
    if (typeof value !== 'object' || value === null)
      throw new InvalidArgumentError(messages.message(runId, `usage must be an object`));
  },
  step(runId, value) {
    const step = value as RunRecord['step'];
    assertNumber(runId, 'step.index', step?.index, false);
    assertText(runId, 'step.name', step?.name, true);
  },
  cancelRequested(runId, value) {
    if (typeof value !== 'boolean') throw new InvalidArgumentError(messages.message(runId, `cancelRequested must be a boolean`));
  },
  forkedFrom(runId, value) {
    if (value === null) return;
    const from = value as RunRecord['forkedFrom'];
    assertText(runId, 'forkedFrom.runId', from?.runId, false);
    assertNumber(runId, 'forkedFrom.atSeq', from?.atSeq, false);
  },
  workflow: (runId, value) => assertText(runId, 'workflow', value, false),
  createdAt: (runId, value) => assertNumber(runId, 'createdAt', value, false),
  updatedAt: (runId, value) => assertNumber(runId, 'updatedAt', value, false),
};

function checkFields(runId: string, fields: object): void {
  for (const [field, value] of Object.entries(fields)) {
    if (value !== undefined) FIELD_CHECKS[field]?.(runId, value);
  }
}

/** Check the fields of a new run beyond the kit's checks (throws before anything is written). */
export function checkNewRun(record: RunRecord): void {
  checkFields(record.runId, record);
}

/** Check the fields a patch sets beyond the kit's checks (absent means no patch). */
export function checkPatch(runId: string, patch: RunPatch | undefined): void {
  if (patch !== undefined) checkFields(runId, patch);
}

/** Check the entries of an append beyond the kit's checks (their sizes are measured by the kit). */
export function checkEntries(runId: string, entries: readonly NewEntry[]): void {
  for (const entry of entries) {
    if (!ENTRY_KINDS.includes(entry?.kind)) {
      throw new InvalidArgumentError(
        messages.message(runId, `unknown entry kind ${JSON.stringify(String(entry?.kind).slice(0, 40))}`),
      );
    }
    assertText(runId, 'entry key', entry.key, false);
    assertText(runId, `payload of entry "${entry.key.slice(0, 100)}"`, entry.payload, false);
    assertNumber(runId, 'entry createdAt', entry.createdAt, false);
  }
}
