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

const encoder = new TextEncoder();

/** UTF-8 byte length of a string. */
export function byteLength(text: string): number {
  return encoder.encode(text).length;
}

function check(value: unknown, path: string, seen: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value) || Object.is(value, -0)) throw new Error(`${path} is ${String(value)}, which JSON cannot hold`);
      return;
    case 'undefined':
      return;
    case 'object': {
      if (value === null) return;
      if (seen.has(value)) throw new Error(`${path} is a circular reference`);
      const proto = Object.getPrototypeOf(value);
      if (Array.isArray(value)) {
        seen.add(value);
        for (let i = 0; i < value.length; i++) {
          if (!(i in value)) throw new Error(`${path}[${i}] is a hole in a sparse array`);
          if (value[i] === undefined) throw new Error(`${path}[${i}] is undefined, which JSON turns into null`);
          check(value[i], `${path}[${i}]`, seen);
        }
        seen.delete(value);
        return;
      }
      if (proto !== Object.prototype && proto !== null) {
        const kind = (value as object).constructor?.name ?? 'object';
        const hint = value instanceof Date ? ' (store date.toISOString() or date.getTime())' : '';
        throw new Error(`${path} is a ${kind}, not a plain object${hint}`);
      }
      seen.add(value);
      for (const [key, item] of Object.entries(value)) check(item, `${path}.${key}`, seen);
      seen.delete(value);
      return;
    }
    default:
      throw new Error(`${path} is a ${typeof value}`);
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
  try {
    check(value, 'value', new Set());
  } catch (error) {
    throw new NotSerializableError(
      `[@cairn/core] run "${context.runId}": ${context.what} cannot be journaled: ${(error as Error).message}`,
    );
  }
  const text = value === undefined ? '{}' : `{"v":${JSON.stringify(value)}}`;
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

/** Decode a payload written by `encode`. */
export function decode<T = unknown>(text: string): T {
  const parsed = JSON.parse(text) as { v?: T };
  return parsed.v as T;
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

/** Rebuild an error from its journal form. Cairn codes come back as their registered class (`createCairnError`). */
export function deserializeError(data: SerializedError): Error {
  const cause = data.cause ? deserializeError(data.cause) : undefined;
  const error =
    data.code !== undefined
      ? createCairnError(data.code, data.message, { cause, retryable: data.retryable ?? false })
      : new Error(data.message, cause === undefined ? undefined : { cause });
  error.name = data.name;
  return error;
}
