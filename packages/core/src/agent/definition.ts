/**
 * An agent's definition — instructions, tool definitions, output schema — as hashes, and what
 * happens when a run resumes under a different one (ADR 0101).
 *
 * Every link of the request hash chain covers the definition hash in force, so two requests with
 * the same messages under different prompts or tools never share a hash. The first model turn of a
 * run records the definition's part hashes (`d` of the turn value), a definition change journals the
 * new ones. At the start of every drive, before anything replays, the definition in force is compared
 * with the latest recorded (an O(1) look-up):
 * - `onDefinitionChange: 'continue'` (default) journals a `change-mark` (old and new hash, the parts
 *   changed, the tools added, removed and changed) and goes on under the new definition;
 * - `'fail'` stops the drive with `NonDeterminismError` (the run is marked failed without `run-end`,
 *   resumable once the definition is restored or the option changed).
 *
 * Invariants:
 * - hashes are computed once per agent, not per turn; a replayed turn costs O(1);
 * - runs recorded before definition hashes existed carry no `d` and are never flagged.
 */
import {
  type DefinitionChange,
  journalDefinitionChange,
  recordedDefinition,
  stopForDefinitionChange,
} from '../engine/context/internals.ts';
import type { DefinitionPart } from '../engine/journal-format.ts';
import type { WorkflowContext } from '../engine/workflow.ts';
import { NonDeterminismError } from '../errors.ts';
import type { ToolDefinition } from '../models/language-model.ts';

/** The definition's hashes, as recorded in a model turn (`d`). */
export interface DefinitionSnapshot {
  /** Hash of the whole definition (128 bits, hex): the value each request hash link covers. */
  h: string;
  /** Instructions and output schema (64 bits, hex). */
  i: string;
  o: string;
  /** Tool name → hash of its definition (description and parameters). */
  t: Record<string, string>;
}

/** Options of the definition check. */
export type OnDefinitionChange = 'continue' | 'fail';

async function sha(text: string, bytes: number): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  let hex = '';
  for (let i = 0; i < bytes; i++) hex += digest[i]!.toString(16).padStart(2, '0');
  return hex;
}

/** Hash an agent's definition (done once per agent). */
export async function snapshotDefinition(
  instructions: string,
  tools: readonly ToolDefinition[],
  output: Record<string, unknown> | null,
): Promise<DefinitionSnapshot> {
  const t: Record<string, string> = {};
  for (const tool of tools) t[tool.name] = await sha(JSON.stringify([tool.description, tool.parameters]), 8);
  const i = await sha(instructions, 8);
  const o = await sha(JSON.stringify(output), 8);
  const h = await sha(JSON.stringify([i, o, tools.map((tool) => [tool.name, t[tool.name]])]), 16);
  return { h, i, o, t };
}

/** What changed from `previous` to `current`. */
export function diffDefinitions(
  agent: string,
  previous: DefinitionSnapshot,
  current: DefinitionSnapshot,
): Omit<DefinitionChange, 'snapshot'> {
  const parts: DefinitionPart[] = [];
  if (previous.i !== current.i) parts.push('instructions');
  const added = Object.keys(current.t).filter((name) => !(name in previous.t));
  const removed = Object.keys(previous.t).filter((name) => !(name in current.t));
  const changed = Object.keys(current.t).filter((name) => name in previous.t && previous.t[name] !== current.t[name]);
  const toolsChanged = added.length + removed.length + changed.length > 0;
  // Reordered tools change the request too: a tools change with nothing listed.
  const reordered = !toolsChanged && previous.h !== current.h && previous.i === current.i && previous.o === current.o;
  if (toolsChanged || reordered) parts.push('tools');
  if (previous.o !== current.o) parts.push('output');
  return {
    type: 'definition',
    agent,
    previous: previous.h,
    current: current.h,
    parts,
    tools: { added, removed, changed },
  };
}

/** Describe a change for an error message. */
export function describeChange(change: Omit<DefinitionChange, 'snapshot'>): string {
  const tools = change.tools;
  const detail = [
    tools.added.length > 0 ? `added ${tools.added.join(', ')}` : '',
    tools.removed.length > 0 ? `removed ${tools.removed.join(', ')}` : '',
    tools.changed.length > 0 ? `changed ${tools.changed.join(', ')}` : '',
  ].filter(Boolean);
  return change.parts.map((part) => (part === 'tools' && detail.length > 0 ? `tools (${detail.join('; ')})` : part)).join(', ');
}

/** The definition in force for the run's recorded turns (undefined before the first turn). */
export interface DefinitionTracker {
  recorded: DefinitionSnapshot | undefined;
}

function isSnapshot(value: unknown): value is DefinitionSnapshot {
  const v = value as DefinitionSnapshot | null;
  return typeof v === 'object' && v !== null && typeof v.h === 'string' && typeof v.i === 'string' && typeof v.t === 'object';
}

/**
 * At the start of every drive, before anything replays: compare the definition in force with the
 * one the journal records for the run (the latest definition change, else the first turn's `d`) and
 * apply `onDefinitionChange`. Sets `tracker.recorded` to the definition the run goes on with.
 */
export async function definitionGate(
  ctx: WorkflowContext,
  agent: { name: string; onDefinitionChange: OnDefinitionChange; definition: Promise<DefinitionSnapshot> },
  tracker: DefinitionTracker,
): Promise<void> {
  const recorded = recordedDefinition(ctx, agent.name, 'model#0', 'd');
  if (!isSnapshot(recorded)) return;
  const current = await agent.definition;
  tracker.recorded = recorded;
  if (recorded.h === current.h) return;
  const change = { ...diffDefinitions(agent.name, recorded, current), snapshot: current };
  if (agent.onDefinitionChange === 'fail') {
    const error = new NonDeterminismError(
      `[@cairn/core] run "${ctx.runId}": agent "${agent.name}" definition changed since the run's recorded turns: ${describeChange(change)} (hash ${recorded.h} → ${current.h}); onDefinitionChange is 'fail': restore the definition, or resume with onDefinitionChange: 'continue'`,
      { runId: ctx.runId, expected: recorded.h, actual: current.h },
    );
    return stopForDefinitionChange(ctx, change, error);
  }
  await journalDefinitionChange(ctx, change);
  tracker.recorded = current;
}
