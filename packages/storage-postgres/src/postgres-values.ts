/**
 * Postgres's own checks, run on values the adapter kit already validated (run ids, counters, patch
 * fields, metadata, payload sizes), before anything is written, so a refused call writes nothing:
 * - statuses and entry kinds must be known ones (stats and listing index them);
 * - opaque strings (input, output, error, payloads) must be well-formed UTF-16: they are stored
 *   as UTF-8 bytes, where a lone surrogate would silently become U+FFFD;
 * - strings kept in text columns (workflow, entry keys, step names, lease owners…) must not hold
 *   U+0000, which Postgres text cannot store (ADR 0150): a clear error instead of a server one.
 */
import { ENTRY_KINDS, InvalidArgumentError, type NewEntry, RUN_STATUSES, type RunPatch, type RunRecord } from '@cairn/core';
import { ADAPTER } from './postgres-adapter.ts';

type Kind = 'text' | 'opaque' | 'number';

function fail(runId: string, what: string, expected: string): never {
  throw new InvalidArgumentError(`[${ADAPTER}] run "${runId}": ${what} must be ${expected}`);
}

function assertValue(runId: string, what: string, value: unknown, kind: Kind, nullable: boolean): void {
  if (value === null && nullable) return;
  const orNull = nullable ? ' or null' : '';
  if (kind === 'number') {
    if (typeof value !== 'number' || !Number.isFinite(value)) fail(runId, what, `a finite number${orNull}`);
    return;
  }
  if (typeof value !== 'string') fail(runId, what, `a string${orNull}`);
  if (kind === 'text' && value.includes('\u0000')) fail(runId, what, 'free of U+0000 (Postgres text cannot hold it)');
  if (kind === 'opaque' && !value.isWellFormed()) fail(runId, what, 'well-formed text (it holds a lone surrogate)');
}

// One checker per record field; fields absent from a patch are not checked.
const FIELD_CHECKS: Record<string, (runId: string, value: unknown) => void> = {
  status(runId, value) {
    if (!RUN_STATUSES.includes(value as RunRecord['status'])) fail(runId, 'status', `one of ${RUN_STATUSES.join(', ')}`);
  },
  pauseReason: (runId, value) => assertValue(runId, 'pauseReason', value, 'text', true),
  wakeAt: (runId, value) => assertValue(runId, 'wakeAt', value, 'number', true),
  lease(runId, value) {
    if (value === null) return;
    const lease = value as RunRecord['lease'];
    assertValue(runId, 'lease.owner', lease?.owner, 'text', false);
    assertValue(runId, 'lease.expiresAt', lease?.expiresAt, 'number', false);
  },
  input: (runId, value) => assertValue(runId, 'input', value, 'opaque', false),
  output: (runId, value) => assertValue(runId, 'output', value, 'opaque', true),
  error: (runId, value) => assertValue(runId, 'error', value, 'opaque', true),
  usage(runId, value) {
    if (typeof value !== 'object' || value === null) fail(runId, 'usage', 'an object');
  },
  step(runId, value) {
    const step = value as RunRecord['step'];
    assertValue(runId, 'step.index', step?.index, 'number', false);
    assertValue(runId, 'step.name', step?.name, 'text', true);
  },
  cancelRequested(runId, value) {
    if (typeof value !== 'boolean') fail(runId, 'cancelRequested', 'a boolean');
  },
  forkedFrom(runId, value) {
    if (value === null) return;
    const from = value as RunRecord['forkedFrom'];
    assertValue(runId, 'forkedFrom.runId', from?.runId, 'text', false);
    assertValue(runId, 'forkedFrom.atSeq', from?.atSeq, 'number', false);
  },
  workflow: (runId, value) => assertValue(runId, 'workflow', value, 'text', false),
  createdAt: (runId, value) => assertValue(runId, 'createdAt', value, 'number', false),
  updatedAt: (runId, value) => assertValue(runId, 'updatedAt', value, 'number', false),
};

function checkFields(runId: string, fields: object): void {
  for (const [field, value] of Object.entries(fields)) if (value !== undefined) FIELD_CHECKS[field]?.(runId, value);
}

/** Check the fields of a new run (throws before anything is written). */
export function checkNewRun(record: RunRecord): void {
  checkFields(record.runId, record);
}

/** Check the fields a patch sets (absent means no patch). */
export function checkPatch(runId: string, patch: RunPatch | undefined): void {
  if (patch !== undefined) checkFields(runId, patch);
}

/** Check the entries of an append (their sizes are measured by the kit). */
export function checkEntries(runId: string, entries: readonly NewEntry[]): void {
  for (const entry of entries) {
    if (!ENTRY_KINDS.includes(entry.kind)) {
      throw new InvalidArgumentError(
        `[${ADAPTER}] run "${runId}": unknown entry kind ${JSON.stringify(String(entry.kind).slice(0, 40))}`,
      );
    }
    assertValue(runId, 'entry key', entry.key, 'text', false);
    assertValue(runId, `payload of entry "${entry.key.slice(0, 100)}"`, entry.payload, 'opaque', false);
    assertValue(runId, 'entry createdAt', entry.createdAt, 'number', false);
  }
}
