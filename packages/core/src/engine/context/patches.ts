/**
 * `ctx.patched(patchId)` (ADR 0102): a versioned change. The first time a run asks, the answer is
 * fixed for good:
 * - the journal holds the patch's `change-mark` → true (the run took the new path before);
 * - the journal holds calls at or beyond this point → false (the run went past here before the
 *   patch existed: it keeps the old path);
 * - otherwise the run is live here → the mark is journaled, then true (new path from now on).
 *
 * Invariants:
 * - the mark is not a call: it takes no call index, so deleting the `patched` call once no run
 *   needs the old path (retiring the patch) leaves runs that took the new path compatible;
 * - the mark is durable before the new path runs anything (the commit is awaited);
 * - within a drive the same id always gets the same answer; across drives the first ask decides,
 *   because a first ask that fell before the journal's end still does on every later replay.
 */
import { patchMarkEntry } from '../journal-format.ts';
import type { CallCounter } from './calls.ts';
import type { DriveScope } from './drive-scope.ts';
import { never, op } from './step-journal.ts';

/** Answer `ctx.patched(patchId)`. */
export async function patched(scope: DriveScope, calls: CallCounter, patchId: string): Promise<boolean> {
  if (scope.control.current) return never();
  const known = calls.patches.get(patchId);
  if (known !== undefined) return known;
  const { replay } = scope;
  let answer: boolean;
  if (replay.patches.has(patchId)) answer = true;
  else if (calls.next < replay.recordedCalls) answer = false;
  else {
    const index = calls.next;
    scope.check?.patches.push({ patchId, path: 'new', index });
    calls.patches.set(patchId, true);
    const now = scope.clock.now();
    const { firstSeq } = await op(scope, () => scope.journal.commit([patchMarkEntry(patchId, index, now)]));
    replay.patches.set(patchId, { seq: firstSeq, index });
    return true;
  }
  calls.patches.set(patchId, answer);
  scope.check?.patches.push({ patchId, path: answer ? 'new' : 'old', index: calls.next });
  return answer;
}
