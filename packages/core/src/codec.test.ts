import { describe, expect, it } from 'vitest';
import { decode, deserializeError, encode, MAX_PAYLOAD_DEPTH, serializeError } from './codec.ts';
import { CairnError } from './errors.ts';

const context = { runId: 'run_1', what: 'result of step "fetch#0"' };

/** `[[…[]…]]` with `depth` arrays, built without recursion. */
function nestedArrays(depth: number): unknown {
  let value: unknown[] = [];
  for (let i = 1; i < depth; i++) value = [value];
  return value;
}

/** `{ a: { a: … {} } }` with `depth` objects. */
function nestedObjects(depth: number): unknown {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
}

/** Call `fn` with roughly `frames` frames of the caller's stack already used. */
function withStackUsed<T>(frames: number, fn: () => T): T {
  const down = (n: number): T => (n === 0 ? fn() : down(n - 1));
  return down(frames);
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('codec', () => {
  it('names negative zero as -0, not 0', () => {
    const error = caught(() => encode({ x: -0 }, context));
    expect(CairnError.is(error, 'not-serializable')).toBe(true);
    expect((error as Error).message).toBe(
      '[@cairn/core] run "run_1": result of step "fetch#0" cannot be journaled: value.x is -0 (negative zero is not preserved by JSON)',
    );
  });

  it(`accepts ${MAX_PAYLOAD_DEPTH} levels of nesting and refuses one more, whatever the caller's stack`, () => {
    expect(MAX_PAYLOAD_DEPTH).toBe(512);
    for (const build of [nestedArrays, nestedObjects]) {
      const deepest = build(MAX_PAYLOAD_DEPTH);
      expect(decode(encode(deepest, context))).toEqual(deepest);
      // Deep in the caller's stack the same depth is still accepted.
      expect(withStackUsed(2000, () => encode(deepest, context))).toBe(encode(deepest, context));
      for (const depth of [MAX_PAYLOAD_DEPTH + 1, 8000, 100_000]) {
        for (const frames of [0, 2000]) {
          const error = caught(() => withStackUsed(frames, () => encode(build(depth), context)));
          expect(error).not.toBeInstanceOf(RangeError);
          expect(CairnError.is(error, 'not-serializable')).toBe(true);
          expect((error as Error).message).toMatch(
            /^\[@cairn\/core\] run "run_1": result of step "fetch#0" cannot be journaled: value(\[0\]|\.a){8}… is nested more than 512 levels deep \(the codec's limit\)$/,
          );
        }
      }
    }
  });

  it('still reports a cycle as a cycle', () => {
    const cyclic: Record<string, unknown> = { list: [1] };
    (cyclic.list as unknown[]).push(cyclic);
    expect(() => encode(cyclic, context)).toThrow('value.list[1] is a circular reference');
    // The same object twice, side by side, is not a cycle.
    const shared = { n: 1 };
    expect(decode(encode({ a: shared, b: [shared, shared] }, context))).toEqual({ a: shared, b: [shared, shared] });
  });

  it('decodes a deeply nested stored payload, and a deeply nested stored error, without a RangeError', () => {
    const depth = 100_000;
    const text = `{"v":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const outcome = (() => {
      try {
        return decode(text);
      } catch (error) {
        return error;
      }
    })();
    expect(outcome).not.toBeInstanceOf(RangeError);
    if (outcome instanceof Error) expect(CairnError.is(outcome, 'not-serializable')).toBe(true);
    else expect(Array.isArray(outcome)).toBe(true);

    // A stored error whose cause chain is far deeper than `serializeError` writes (a damaged or
    // hostile journal): it is rebuilt down to a bounded depth, never recursively to the end.
    const errorText = `${'{"name":"Error","message":"m","cause":'.repeat(depth)}{"name":"Error","message":"last"}${'}'.repeat(depth)}`;
    const rebuilt = deserializeError(JSON.parse(errorText));
    expect(rebuilt.message).toBe('m');
    let levels = 0;
    for (let e: unknown = rebuilt; e instanceof Error; e = e.cause) levels++;
    expect(levels).toBeLessThanOrEqual(MAX_PAYLOAD_DEPTH);
    expect(serializeError(rebuilt).cause?.cause?.cause?.cause).toBeUndefined();
  });
});
