// The tracing hook against bad input: a run whose metadata holds a malformed or all-zero
// `traceparent` (or none) still gets one trace, derived from its id, the same in every runtime that
// drives it; a store that cannot be read costs the run its spans, never the run.
import { createMemoryBacking, createMemoryStore, createRuntime, type DurableStore, defineWorkflow } from '@cairn/core';
import { createRunTracing } from '@cairn/core/otel';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';

const twoSteps = defineWorkflow('two-steps', async (ctx) => {
  const a = await ctx.step('a', async () => 1);
  const b = await ctx.step('b', async () => 2);
  return a + b;
});

function traced(store: DurableStore) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracing = createRunTracing({ tracer: provider.getTracer('hostile'), store });
  const runtime = createRuntime({ store, workflows: [twoSteps], onEvent: tracing.onEvent });
  return { exporter, tracing, runtime };
}

describe('createRunTracing with bad input', () => {
  it.each([
    ['no traceparent', undefined],
    ['a malformed one', '00-not-a-trace-01'],
    ['all-zero ids', `00-${'0'.repeat(32)}-${'0'.repeat(16)}-01`],
    ['escape codes', '\u001b]8;;https://evil.example\u0007x'],
  ])('%s: one trace derived from the run id, the same in a second runtime', async (_what, traceparent) => {
    const backing = createMemoryBacking();
    const first = traced(createMemoryStore({ backing }));
    const runId = `hostile_${traceparent === undefined ? 'none' : traceparent.length}`;
    const handle = await first.runtime.start(twoSteps, null, {
      runId,
      ...(traceparent !== undefined ? { metadata: { traceparent } } : {}),
    });
    expect(await handle.result()).toBe(3);
    await first.tracing.flush();
    await first.runtime.close();
    // Another runtime (another process, say) with the same run id and no usable traceparent lands
    // in the same trace: the context is derived from the id alone.
    const second = traced(createMemoryStore({ backing: createMemoryBacking() }));
    await (await second.runtime.start(twoSteps, null, { runId })).result();
    await second.tracing.flush();
    await second.runtime.close();
    const spans = [...first.exporter.getFinishedSpans(), ...second.exporter.getFinishedSpans()];
    expect(spans.map((span) => span.name).filter((name) => name.startsWith('cairn.step'))).toEqual([
      'cairn.step a',
      'cairn.step b',
      'cairn.step a',
      'cairn.step b',
    ]);
    const traceIds = new Set(spans.map((span) => span.spanContext().traceId));
    const parents = new Set(spans.map((span) => span.parentSpanContext?.spanId));
    expect(traceIds.size).toBe(1);
    expect(parents.size).toBe(1);
    expect([...traceIds][0]).toMatch(/^[0-9a-f]{32}$/);
  });

  it('a store whose reads fail: the run completes, with no spans and no unhandled rejection', async () => {
    const store = createMemoryStore();
    // The engine reads `store`; the hook is given a handle to it whose reads fail.
    const failing: DurableStore = {
      ...store,
      getRun: async (runId) => {
        throw new Error(`store down for ${runId}`);
      },
    };
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const tracing = createRunTracing({ tracer: provider.getTracer('hostile'), store: failing });
    const runtime = createRuntime({ store, workflows: [twoSteps], onEvent: tracing.onEvent });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      expect(await (await runtime.start(twoSteps, null, { runId: 'down_1' })).result()).toBe(3);
      await tracing.flush();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(exporter.getFinishedSpans()).toEqual([]);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await runtime.close();
    }
  });
});
