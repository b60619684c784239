/**
 * Where a run's spans hang in a trace (ADR 0137): the W3C `traceparent` kept in the run's metadata
 * by `startMetadata`, or — for runs started without it — a context derived from the run id, so every
 * process that drives the run still puts its spans in one trace.
 */
import { type Context, ROOT_CONTEXT, type SpanContext, TraceFlags, trace } from '@opentelemetry/api';

/** The metadata key holding the run's trace context. */
export const TRACEPARENT_KEY = 'traceparent';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** `00-<trace id>-<span id>-<flags>`. */
export function formatTraceparent(spanContext: SpanContext): string {
  return `00-${spanContext.traceId}-${spanContext.spanId}-${(spanContext.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** The span context of a `traceparent`, or undefined when it is not one (all-zero ids included). */
export function parseTraceparent(text: unknown): SpanContext | undefined {
  if (typeof text !== 'string') return undefined;
  const match = TRACEPARENT.exec(text);
  if (!match) return undefined;
  const [, traceId, spanId, flags] = match as unknown as [string, string, string, string];
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, traceFlags: Number.parseInt(flags, 16), isRemote: true };
}

/** A trace context derived from the run id: SHA-256 of it, 16 bytes of trace id, 8 of span id. */
async function derivedSpanContext(runId: string): Promise<SpanContext> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`cairn-run:${runId}`)));
  let hex = '';
  for (const byte of digest.subarray(0, 24)) hex += byte.toString(16).padStart(2, '0');
  return { traceId: hex.slice(0, 32), spanId: hex.slice(32, 48), traceFlags: TraceFlags.SAMPLED, isRemote: true };
}

/** The parent context of a run's spans: its `traceparent` metadata, else the one derived from its id. */
export async function runParentContext(runId: string, metadata: Record<string, string> | null | undefined): Promise<Context> {
  const spanContext = parseTraceparent(metadata?.[TRACEPARENT_KEY]) ?? (await derivedSpanContext(runId));
  return trace.setSpanContext(ROOT_CONTEXT, spanContext);
}
