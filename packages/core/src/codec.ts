/**
 * The core codec: the only place values become journal payloads and back. Payloads are JSON text,
 * so every adapter can store them as strings and no adapter ever parses them.
 *
 * Invariants:
 * - `decode(encode(v))` is deep-equal to `v` for every accepted value, so a replayed step returns
 *   exactly what the first execution returned. Values JSON would silently change (Date, Map,
 *   class instances, NaN, -0, sparse arrays) are rejected instead, naming the path.
 * - `undefined` at the top level is allowed (a step that returns nothing); inside objects,
 *   `undefined` properties are dropped as JSON does, which deep-equality treats the same.
 */
import { CairnError, createCairnError, type ErrorCode, NotSerializableError, PayloadTooLargeError } from './errors.ts';

/**
 * Deepest nesting of objects and arrays a journaled value may have (ADR 0068). Far above what agent
 * data needs (serde_json stops at 128), far below where platform JSON and recursion run out of stack
 * (≈ 4 500–7 300 levels in V8 depending on the caller), so a value that passes the check is encoded
 * the same wherever it is called from.
 */
export const MAX_PAYLOAD_DEPTH = 512;

const encoder = new TextEncoder();

/** UTF-8 byte length of a string. */
export function byteLength(text: string): number {
  return encoder.encode(text).length;
}

/** Path segments shown when a value is too deep: enough to find it, never the whole path. */
const PATH_PREFIX_SEGMENTS = 8;

/** One value still to check; `parent` links let the path be built only when it is needed. */
interface Pending {
  value: unknown;
  segment: string;
  parent: Pending | null;
  depth: number;
}

function pathOf(item: Pending | null, limit = Number.POSITIVE_INFINITY): string {
  const segments: string[] = [];
  for (let at = item; at !== null; at = at.parent) segments.push(at.segment);
  segments.reverse();
  // `limit` counts the segments after the root (`value`).
  if (segments.length <= limit + 1) return segments.join('');
  return `${segments.slice(0, limit + 1).join('')}…`;
}

function describeNumber(value: number): string | undefined {
  if (Object.is(value, -0)) return '-0 (negative zero is not preserved by JSON)';
  if (!Number.isFinite(value)) return `${String(value)}, which JSON cannot hold`;
  return undefined;
}

/**
 * Throw (a plain `Error`, worded for `encode`) if JSON would not round-trip `root`.
 *
 * Invariants:
 * - iterative, with an explicit stack: the caller's stack depth never decides the outcome;
 * - a container deeper than `MAX_PAYLOAD_DEPTH` is refused before its children are looked at;
 * - `ancestors` holds exactly the containers on the path from the root to the item being checked,
 *   so the same object twice side by side is fine and only a true cycle is refused.
 */
function check(root: unknown): void {
  const ancestors = new Set<object>();
  // An `exit` marker pops its container off `ancestors` once all its children are checked.
  const stack: Array<Pending | { exit: object }> = [{ value: root, segment: 'value', parent: null, depth: 0 }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if ('exit' in item) {
      ancestors.delete(item.exit);
      continue;
    }
    const value = item.value;
    switch (typeof value) {
      case 'string':
      case 'boolean':
      case 'undefined':
        continue;
      case 'number': {
        const problem = describeNumber(value);
        if (problem) throw new Error(`${pathOf(item)} is ${problem}`);
        continue;
      }
      case 'object': {
        if (value === null) continue;
        if (ancestors.has(value)) throw new Error(`${pathOf(item)} is a circular reference`);
        const depth = item.depth + 1;
        if (depth > MAX_PAYLOAD_DEPTH)
          throw new Error(
            `${pathOf(item, PATH_PREFIX_SEGMENTS)} is nested more than ${MAX_PAYLOAD_DEPTH} levels deep (the codec's limit)`,
          );
        ancestors.add(value);
        stack.push({ exit: value });
        // Children are pushed last-first, so they are checked in document order (an array's holes and
        // `undefined` items are reported before problems inside its items).
        if (Array.isArray(value)) {
          for (let i = 0; i < value.length; i++) {
            if (!(i in value)) throw new Error(`${pathOf(item)}[${i}] is a hole in a sparse array`);
            if (value[i] === undefined) throw new Error(`${pathOf(item)}[${i}] is undefined, which JSON turns into null`);
          }
          for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], segment: `[${i}]`, parent: item, depth });
        } else {
          const proto = Object.getPrototypeOf(value);
          if (proto !== Object.prototype && proto !== null) {
            const kind = (value as object).constructor?.name ?? 'object';
            const hint = value instanceof Date ? ' (store date.toISOString() or date.getTime())' : '';
            throw new Error(`${pathOf(item)} is a ${kind}, not a plain object${hint}`);
          }
          const entries = Object.entries(value);
          for (let i = entries.length - 1; i >= 0; i--) {
            const [key, child] = entries[i]!;
            stack.push({ value: child, segment: `.${key}`, parent: item, depth });
          }
        }
        continue;
      }
      default:
        throw new Error(`${pathOf(item)} is a ${typeof value}`);
    }
  }
}

/** Where a value comes from, for error messages. */
export interface CodecContext {
  runId: string;
  /** e.g. `result of step "fetch#0"` or `input`. */
  what: string;
  maxBytes?: number;
}

/** Encode a value for the journal, or throw a clear error naming run and step. */
export function encode(value: unknown, context: CodecContext): string {
  const refuse = (problem: string): NotSerializableError =>
    new NotSerializableError(`[@cairn/core] run "${context.runId}": ${context.what} cannot be journaled: ${problem}`);
  try {
    check(value);
  } catch (error) {
    throw refuse((error as Error).message);
  }
  let text: string;
  try {
    text = value === undefined ? '{}' : `{"v":${JSON.stringify(value)}}`;
  } catch (error) {
    // Only a caller already at the very end of its stack gets here (the value is at most
    // MAX_PAYLOAD_DEPTH deep): still a Cairn error, never a raw RangeError.
    throw refuse(
      `encoding ran out of stack (${error instanceof Error ? error.name : 'error'}); the caller's stack is nearly exhausted`,
    );
  }
  if (context.maxBytes !== undefined && text.length > context.maxBytes / 3) {
    const bytes = byteLength(text);
    if (bytes > context.maxBytes) {
      throw new PayloadTooLargeError(
        `[@cairn/core] run "${context.runId}": ${context.what} is ${bytes} bytes encoded, over the store's limit of ${context.maxBytes} bytes`,
      );
    }
  }
  return text;
}

/**
 * Decode a payload written by `encode`. A payload nested deeper than the platform's JSON parser
 * can go (V8 parses iteratively; other engines recurse) is refused with `NotSerializableError`,
 * never a raw `RangeError`; `context` names the run and the value when the caller knows them.
 */
export function decode<T = unknown>(text: string, context?: Omit<CodecContext, 'maxBytes'>): T {
  let parsed: { v?: T };
  try {
    parsed = JSON.parse(text) as { v?: T };
  } catch (error) {
    if (!isStackOverflow(error)) throw error;
    const where = context ? `run "${context.runId}": ${context.what}` : 'a journal payload';
    throw new NotSerializableError(
      `[@cairn/core] ${where} cannot be decoded: it is nested too deeply for this platform's JSON parser`,
    );
  }
  return parsed.v as T;
}

/** `RangeError` (V8, JavaScriptCore) or `InternalError: too much recursion` (SpiderMonkey). */
function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError || (error instanceof Error && error.name === 'InternalError');
}

/** An error as the journal keeps it. Messages are kept; stacks are not (they hold paths, not facts). */
export interface SerializedError {
  name: string;
  message: string;
  code?: ErrorCode;
  retryable?: boolean;
  cause?: SerializedError;
}

/** Turn any thrown value into its journal form. */
export function serializeError(error: unknown, depth = 0): SerializedError {
  if (error instanceof Error || CairnError.is(error)) {
    const e = error as Error & { code?: unknown; retryable?: unknown };
    const out: SerializedError = { name: e.name || 'Error', message: String(e.message ?? '') };
    if (CairnError.is(error)) {
      out.code = error.code;
      out.retryable = error.retryable;
    }
    if (e.cause !== undefined && depth < 3) out.cause = serializeError(e.cause, depth + 1);
    return out;
  }
  return { name: 'Error', message: typeof error === 'string' ? error : safeString(error) };
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Rebuild an error from its journal form. Cairn codes come back as their registered class (`createCairnError`).
 * Iterative, and bounded at `MAX_PAYLOAD_DEPTH` causes: `serializeError` writes at most three, so
 * a longer chain comes from a damaged or foreign journal and is cut rather than overflowing the stack.
 */
export function deserializeError(data: SerializedError): Error {
  const chain: SerializedError[] = [];
  for (let at: SerializedError | undefined = data; at && chain.length < MAX_PAYLOAD_DEPTH; at = at.cause) chain.push(at);
  let cause: Error | undefined;
  for (let i = chain.length - 1; i >= 0; i--) {
    const item = chain[i]!;
    const error =
      item.code !== undefined
        ? createCairnError(item.code, item.message, { cause, retryable: item.retryable ?? false })
        : new Error(item.message, cause === undefined ? undefined : { cause });
    error.name = item.name;
    cause = error;
  }
  return cause!;
}
