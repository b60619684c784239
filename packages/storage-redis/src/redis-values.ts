/**
 * Redis's own checks, run on values the adapter kit already validated (run ids, counters, patch
 * fields, metadata, payload sizes), before anything is sent, so a refused call writes nothing:
 * - statuses and entry kinds must be known ones (the indexes and the journal frame rely on them);
 * - text must be well-formed UTF-16: Redis keeps UTF-8 bytes, where a lone surrogate would come
 *   back as U+FFFD and a replayed value would differ from the recorded one.
 */
import { ENTRY_KINDS, InvalidArgumentError, type NewEntry, RUN_STATUSES, type RunPatch, type RunRecord } from '@cairn/core';
import { ADAPTER } from './redis-adapter.ts';

function refuse(runId: string, what: string): never {
  throw new InvalidArgumentError(`[${ADAPTER}] run "${runId}": ${what}`, { adapter: ADAPTER, runId });
}

const TEXT_FIELDS = ['workflow', 'pauseReason', 'input', 'output', 'error'] as const;
const NUMBER_FIELDS = ['wakeAt', 'createdAt', 'updatedAt'] as const;

// Shapes the codec relies on; fields absent from `fields` are not checked.
function checkFields(runId: string, fields: Partial<RunRecord>): void {
  if (fields.status !== undefined && !RUN_STATUSES.includes(fields.status))
    refuse(runId, `unknown status ${JSON.stringify(String(fields.status).slice(0, 40))}`);
  for (const field of TEXT_FIELDS) {
    const value = fields[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') refuse(runId, `${field} must be a string`);
    if (!value.isWellFormed()) refuse(runId, `${field} holds a lone surrogate, which UTF-8 storage cannot keep`);
  }
  for (const field of NUMBER_FIELDS) {
    const value = fields[field];
    if (value !== undefined && value !== null && (typeof value !== 'number' || !Number.isFinite(value)))
      refuse(runId, `${field} must be a finite number`);
  }
  if (fields.step !== undefined && (typeof fields.step !== 'object' || fields.step === null))
    refuse(runId, 'step must be an object');
  if (fields.usage !== undefined && (typeof fields.usage !== 'object' || fields.usage === null))
    refuse(runId, 'usage must be an object');
}

/** Check the fields of a new run (throws before anything is sent). */
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
    if (!ENTRY_KINDS.includes(entry.kind)) refuse(runId, `unknown entry kind ${JSON.stringify(String(entry.kind).slice(0, 40))}`);
    if (typeof entry.key !== 'string' || !entry.key.isWellFormed()) refuse(runId, 'entry key must be a well-formed string');
    if (typeof entry.payload !== 'string' || !entry.payload.isWellFormed())
      refuse(runId, `payload of entry "${entry.key.slice(0, 100)}" must be a well-formed string`);
    if (typeof entry.createdAt !== 'number' || !Number.isFinite(entry.createdAt))
      refuse(runId, 'entry createdAt must be a finite number');
  }
}
