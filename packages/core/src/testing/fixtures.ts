/**
 * Fixtures for adapter tests and the conformance suite. They build plain values only (no clock, no
 * randomness) so that a failing test prints the same data every time it runs.
 */
import { initialRun } from '../storage/initial-run.ts';
import type { NewEntry, NewRun } from '../storage/types.ts';

export { emptyUsage } from '../storage/initial-run.ts';

/** A fixed epoch-millisecond time (2026-01-01T00:00:00Z): fixtures never read a clock. */
export const FIXTURE_TIME = 1_767_225_600_000;

/**
 * A minimal, valid `NewRun` (status `running`, every optional field `null`), with `overrides` applied.
 *
 * @example
 * await store.createRun(newRunFixture('run-1', { workflow: 'greet', createdAt: 5, updatedAt: 5 }));
 */
export function newRunFixture(runId: string, overrides: Partial<NewRun> = {}): NewRun {
  return { ...initialRun({ runId, workflow: 'conformance', input: '{"v":null}', createdAt: FIXTURE_TIME }), ...overrides };
}

/**
 * A valid `NewEntry` (`step-end` by default) whose payload names its key, with `overrides` applied.
 *
 * @example
 * await store.append('run-1', 0, [entryFixture('fetch#0'), entryFixture('fetch#1')]);
 */
export function entryFixture(key: string, overrides: Partial<NewEntry> = {}): NewEntry {
  return {
    kind: 'step-end',
    key,
    payload: `{"v":${JSON.stringify(key)}}`,
    createdAt: FIXTURE_TIME,
    ...overrides,
  };
}

/** Unicode a store must keep verbatim inside opaque strings: emoji, NUL, combining marks, RTL, CJK. */
export const AWKWARD_TEXT =
  '{"v":"caf\u00e9 \u{1FAA8} \u0000 nul, e\u0301, \u05e9\u05dc\u05d5\u05dd, \u7a0b\u5e8f, \\"quoted\\" \\n"}';

/**
 * A run where no field holds its default: paused for approval, leased, forked, with output, error,
 * large token counts and awkward unicode, so an adapter that drops or coerces any field is caught.
 */
export function richRunFixture(runId: string, overrides: Partial<NewRun> = {}): NewRun {
  return newRunFixture(runId, {
    workflow: 'r\u00e9sum\u00e9-\u{1F9ED}',
    status: 'paused',
    pauseReason: 'approval',
    wakeAt: FIXTURE_TIME + 86_400_000,
    lease: { owner: 'tab-\u{1F600}-7', expiresAt: FIXTURE_TIME + 30_000 },
    input: AWKWARD_TEXT,
    output: `{"v":"out \u0000 \u{1F4A5}"}`,
    error: `{"name":"Error","message":"bo\u0000om \u{1F525}"}`,
    usage: {
      inputTokens: 2 ** 40,
      outputTokens: 123_456_789,
      totalTokens: 2 ** 40 + 123_456_789,
      savedTokens: 17,
      modelCalls: 3,
    },
    step: { index: 42, name: 'ask-\u{1F916}#3' },
    cancelRequested: true,
    forkedFrom: { runId: 'source_run-1', atSeq: 9 },
    metadata: { sessionId: 'session_1', 'user.id': 'us\u00e9r-\u{1F600}', empty: '', quote: 'a"b\\c\n' },
    expiresAt: FIXTURE_TIME + 7 * 86_400_000,
    attempt: 3,
    createdAt: FIXTURE_TIME - 1,
    updatedAt: FIXTURE_TIME + 1,
    ...overrides,
  });
}

const encoder = new TextEncoder();

/** UTF-8 byte length of `text` (what `limits.maxPayloadBytes` measures). */
export function utf8Bytes(text: string): number {
  return encoder.encode(text).length;
}

/** Prefix of every sized text, so a test can check that error messages never echo payloads. */
export const SIZED_TEXT_MARKER = 'PAYLOAD-CONTENT-';

// 4 + 2 + 3 + 1 = 10 UTF-8 bytes in 5 UTF-16 code units: an adapter that measures `.length`
// instead of bytes sees half the real size and is caught.
const UNIT = '\u{1FAA8}\u00e9\u20aca';
const UNIT_BYTES = 10;

/**
 * A string of exactly `bytes` UTF-8 bytes (at least the marker's length), mostly multi-byte
 * characters so that its `.length` is about half its byte size.
 */
export function textOfBytes(bytes: number): string {
  const rest = bytes - SIZED_TEXT_MARKER.length;
  if (rest < 0) throw new RangeError(`textOfBytes: ${bytes} is shorter than the marker`);
  return SIZED_TEXT_MARKER + UNIT.repeat(Math.floor(rest / UNIT_BYTES)) + 'a'.repeat(rest % UNIT_BYTES);
}
