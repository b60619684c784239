// Memory of a resumed long run (issue 18): replay keeps nothing per step it has already replayed,
// so resuming 20 000 recorded steps holds no more heap than resuming 10 000 (a growth of a few
// hundred bytes per replayed step would show here as megabytes), and what a resumed run holds
// stays within 2× the payload bytes of its journal.
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createRuntime, defineWorkflow } from '@cairn/core';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/index.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const temp = makeTempDir('replay-memory');
afterAll(() => temp.remove());

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

/** `steps` recorded steps, then a step `next` that calls `atNext` and never settles. */
function longWorkflow(atNext: () => void) {
  return defineWorkflow('long', async (ctx, input: { steps: number }) => {
    let sum = 0;
    for (let index = 0; index < input.steps; index++) sum += await ctx.step('s', () => index);
    return (
      sum +
      (await ctx.step('next', () => {
        atNext();
        return new Promise<number>(() => {});
      }))
    );
  });
}

/** Record a run of `steps` steps, resume it in a fresh runtime, and return the heap it holds at `next`. */
async function heldAfterResume(steps: number): Promise<{ held: number; payloadBytes: number }> {
  const path = join(temp.path, `long-${steps}.db`);
  const writer = createSqliteStore({ path, synchronous: 'normal' });
  let reached!: () => void;
  let atNext = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const first = createRuntime({ store: writer, workflows: [longWorkflow(() => reached())], owner: 'first' });
  const { runId } = await first.start(
    longWorkflow(() => reached()),
    { steps },
  );
  await atNext;
  await first.close();
  await writer.close();

  const store = createSqliteStore({ path, synchronous: 'normal' });
  const payloadBytes = (await store.readEntries(runId)).reduce((sum, entry) => sum + entry.payload.length, 0);
  atNext = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const workflow = longWorkflow(() => reached());
  const runtime = createRuntime({ store, workflows: [workflow], owner: 'first', leaseMs: 60_000 });
  // Let the first runtime's timers and handles go before taking the baseline.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const before = heapAfterGc();
  await runtime.resume(runId);
  await atNext;
  const held = heapAfterGc() - before;
  await runtime.close();
  await store.close();
  return { held, payloadBytes };
}

describe('memory of a resumed long run', () => {
  it('holds no more after replaying 20 000 steps than after 10 000, and within 2× the journal payload bytes', async () => {
    await heldAfterResume(2_000); // warm-up: compiled code and caches are not the run's
    const ten = await heldAfterResume(10_000);
    const twenty = await heldAfterResume(20_000);
    // 10 000 more replayed steps may add at most 16 bytes each (they added ~300 before replay
    // dropped what it had consumed).
    expect(twenty.held - ten.held).toBeLessThan(10_000 * 16);
    expect(ten.held).toBeLessThan(2 * ten.payloadBytes);
    expect(twenty.held).toBeLessThan(2 * twenty.payloadBytes);
  }, 240_000);
});
