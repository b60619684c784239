/**
 * Conformance group `payload limits`: each opaque string (a run's `input`, `output`, `error`, an
 * entry's `payload`) is measured on its own in UTF-8 bytes against `limits.maxPayloadBytes`
 * (inclusive). An oversize string is refused with `payload-too-large` before anything is written,
 * and the message names the run but never echoes the payload (ADR 0022).
 */
import { expect } from 'vitest';
import type { CairnError } from '../errors.ts';
import type { DurableStore, RunRecord } from '../storage/types.ts';
import { expectMessageNamesRun, expectRejection } from './assertions.ts';
import { entryFixture, FIXTURE_TIME, newRunFixture, SIZED_TEXT_MARKER, textOfBytes, utf8Bytes } from './fixtures.ts';
import { conformanceGroup } from './group.ts';
import type { StoreHarness } from './harness.ts';
import { entryBatch, numbered } from './journal-suite.ts';

/** Payloads at or below this many bytes are written for real in the round-trip test, to stay fast. */
const ROUND_TRIP_CAP = 4 * 1024 * 1024;

function expectRefusal(error: CairnError, runId: string): void {
  expectMessageNamesRun(error, runId);
  expect(error.message, 'payload contents never appear in messages').not.toContain(SIZED_TEXT_MARKER);
  expect(error.message.length, 'messages stay short').toBeLessThan(1000);
}

/**
 * Every way to hand a store an opaque string, each expected to leave the store as it was: every
 * method gets the multi-byte text once (`input`, `payload`), the other fields get ASCII text.
 */
function oversizeCalls(store: DurableStore, multiByte: string, ascii: string): Record<string, () => Promise<unknown>> {
  const at = FIXTURE_TIME + 1;
  return {
    'createRun input': () => store.createRun(newRunFixture('run-new', { input: multiByte })),
    'createRun output': () => store.createRun(newRunFixture('run-new', { status: 'completed', output: ascii })),
    'createRun error': () => store.createRun(newRunFixture('run-new', { status: 'failed', error: ascii })),
    'updateRun input': () => store.updateRun('run-1', 0, { input: multiByte, updatedAt: at }),
    'updateRun output': () => store.updateRun('run-1', 0, { output: ascii, updatedAt: at }),
    'updateRun error': () => store.updateRun('run-1', 0, { error: ascii, updatedAt: at }),
    'append payload': () => store.append('run-1', 1, [entryFixture('big#0', { payload: multiByte })]),
    'append patch input': () => store.append('run-1', 1, entryBatch('b', 1), { input: multiByte, updatedAt: at }),
    'append patch output': () => store.append('run-1', 1, entryBatch('b', 1), { output: ascii, updatedAt: at }),
    'append patch error': () => store.append('run-1', 1, entryBatch('b', 1), { error: ascii, updatedAt: at }),
  };
}

/** Register the `payload limits` group for `harness`. */
export function payloadLimitsSuite(harness: StoreHarness): void {
  conformanceGroup(harness, 'payload limits', ({ test, fresh }) => {
    test('limits.maxPayloadBytes is a positive integer', async () => {
      const store = await fresh();
      expect(Number.isInteger(store.limits.maxPayloadBytes) && store.limits.maxPayloadBytes > 0).toBe(true);
    });

    test('a string one byte over the limit (measured in UTF-8 bytes) is refused everywhere and nothing is written', async () => {
      const store = await fresh();
      await store.createRun(newRunFixture('run-1'));
      const before: RunRecord = await store.append('run-1', 0, entryBatch('a', 1));
      const over = store.limits.maxPayloadBytes + 1;
      const multiByte = textOfBytes(over);
      // Its UTF-16 length is about half its byte size: a store measuring `.length` accepts it.
      expect(multiByte.length).toBeLessThan(store.limits.maxPayloadBytes);
      // Encoding 16 MiB of multi-byte text takes a while, so outputs and errors use ASCII instead.
      const ascii = SIZED_TEXT_MARKER + 'x'.repeat(over - SIZED_TEXT_MARKER.length);
      for (const [what, call] of Object.entries(oversizeCalls(store, multiByte, ascii))) {
        const error = await expectRejection(call, 'payload-too-large').catch((failure: Error) => {
          throw new Error(`${what}: ${failure.message}`);
        });
        expectRefusal(error, what.startsWith('createRun') ? 'run-new' : 'run-1');
      }
      expect(await store.getRun('run-new')).toBeNull();
      expect(await store.getRun('run-1')).toStrictEqual(before);
      expect(await store.readEntries('run-1')).toStrictEqual(numbered(entryBatch('a', 1), 1));
      expect((await store.stats()).total).toBe(1);
    });

    test('strings well under the limit round-trip exactly in input, output, error and payload', async () => {
      const store = await fresh();
      const bytes = Math.min(Math.floor(store.limits.maxPayloadBytes / 2), ROUND_TRIP_CAP);
      const text = textOfBytes(bytes);
      expect(utf8Bytes(text)).toBe(bytes);
      const created = await store.createRun(newRunFixture('run-1', { input: text }));
      expect(created.input).toBe(text);
      await store.updateRun('run-1', 0, { error: text, updatedAt: FIXTURE_TIME + 1 });
      await store.append('run-1', 0, [entryFixture('big#0', { payload: text })], { output: text, updatedAt: FIXTURE_TIME + 2 });
      const run = await store.getRun('run-1');
      expect(run?.input === text && run.output === text && run.error === text).toBe(true);
      const [entry] = await store.readEntries('run-1');
      expect(entry?.payload === text).toBe(true);
    });

    test('the limit is inclusive: a payload of exactly maxPayloadBytes is accepted', async () => {
      const store = await fresh();
      // One write at the boundary only (it may be 16 MiB); the round-trip test covers every field.
      const text = textOfBytes(store.limits.maxPayloadBytes);
      await store.createRun(newRunFixture('run-1'));
      expect((await store.append('run-1', 0, [entryFixture('edge#0', { payload: text })])).lastSeq).toBe(1);
      expect((await store.readEntries('run-1'))[0]?.payload === text).toBe(true);
    });
  });
}
