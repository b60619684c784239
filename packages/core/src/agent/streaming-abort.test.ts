import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createScriptedModel } from '../models/scripted-model.ts';
import { createMemoryStore } from '../storage/memory-store.ts';
import { createAgent } from './agent.ts';
import { agentBed, eventLog, waitFor } from './agent-test-kit.ts';
import { defineAgent } from './define-agent.ts';
import { tool } from './tool.ts';

const TEXT = 'Streaming works, one piece at a time.';

describe('streaming and abort', () => {
  it('emits text deltas as run events while the model streams, and journals only the final message', async () => {
    const bed = agentBed();
    const log = eventLog();
    const model = createScriptedModel([TEXT], { chunkSize: 5 });
    const agent = defineAgent({ name: 'streamer', model });
    const runtime = bed.runtime({ workflows: [agent], onEvent: log.onEvent });
    const run = await runtime.start(agent, 'stream please');
    expect(await run.result()).toBe(TEXT);
    const deltas = log.events.flatMap((e) => (e.type === 'text-delta' ? [e] : []));
    expect(deltas.length).toBe(Math.ceil(TEXT.length / 5));
    expect(deltas.map((d) => d.delta).join('')).toBe(TEXT);
    expect(new Set(deltas.map((d) => d.stepId))).toEqual(new Set(['model#0']));
    const entries = await bed.store.readEntries(run.runId);
    expect(entries.filter((e) => e.payload.includes('Streaming works')).map((e) => `${e.kind}:${e.key}`)).toEqual([
      'step-end:model#0',
      'run-end:run',
    ]);
  });

  it('does not stream when stream is false', async () => {
    const bed = agentBed();
    const log = eventLog();
    const agent = defineAgent({ name: 'quiet', model: createScriptedModel([TEXT]), stream: false });
    const runtime = bed.runtime({ workflows: [agent], onEvent: log.onEvent });
    expect(await (await runtime.start(agent, 'hi')).result()).toBe(TEXT);
    expect(log.events.some((e) => e.type === 'text-delta')).toBe(false);
  });

  it('passes deltas to agent.run’s onTextDelta', async () => {
    const agent = createAgent({ model: createScriptedModel([TEXT], { chunkSize: 7 }), store: createMemoryStore() });
    const seen: string[] = [];
    const result = await agent.run('hi', { onTextDelta: (delta) => seen.push(delta) });
    expect(result.output).toBe(TEXT);
    expect(seen.join('')).toBe(TEXT);
    expect(seen.length).toBe(Math.ceil(TEXT.length / 7));
    await agent.close();
  });

  it('aborts a running tool’s signal when the run is cancelled', async () => {
    const bed = agentBed();
    let reason: unknown;
    let started = false;
    const wait = tool({
      name: 'wait_for_user',
      description: '',
      input: z.object({}),
      execute: (_input, ctx) =>
        new Promise((_resolve, reject) => {
          started = true;
          ctx.signal.addEventListener('abort', () => {
            reason = ctx.signal.reason;
            reject(ctx.signal.reason);
          });
        }),
    });
    const agent = defineAgent({
      name: 'waiter',
      model: createScriptedModel([{ toolCalls: [{ name: 'wait_for_user' }] }]),
      tools: [wait],
    });
    const runtime = bed.runtime({ workflows: [agent] });
    const run = await runtime.start(agent, 'wait');
    await waitFor(() => started);
    await runtime.cancel(run.runId, { reason: 'user clicked stop' });
    expect(reason).toMatchObject({ code: 'run-cancelled' });
    expect((await runtime.get(run.runId)).status).toBe('cancelled');
  });

  it('aborts the model call when the caller’s signal aborts agent.run', async () => {
    let modelSignal: AbortSignal | undefined;
    const model = createScriptedModel(['too late'], { delayMs: 60_000 });
    const watched = {
      ...model,
      id: model.id,
      generate: (request: Parameters<typeof model.generate>[0], options: { signal: AbortSignal }) => {
        modelSignal = options.signal;
        return model.generate(request, options);
      },
    };
    const agent = createAgent({ model: watched, stream: false, store: createMemoryStore() });
    const controller = new AbortController();
    const started = Date.now();
    const pending = agent.run('hi', { signal: controller.signal });
    await waitFor(() => modelSignal !== undefined);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'run-cancelled' });
    expect(modelSignal?.aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
    await agent.close();
  });

  it('aborts a model call that exceeds modelTimeoutMs and retries it', async () => {
    const bed = agentBed();
    const signals: AbortSignal[] = [];
    const model = createScriptedModel(async (_request, { call }) => {
      if (call === 0) await new Promise((r) => setTimeout(r, 300));
      return 'answered on time';
    });
    const watched = {
      id: model.id,
      generate: (request: Parameters<typeof model.generate>[0], options: { signal: AbortSignal }) => {
        signals.push(options.signal);
        return model.generate(request, options);
      },
    };
    const agent = defineAgent({ name: 'timely', model: watched, modelTimeoutMs: 30 });
    const runtime = bed.runtime({ workflows: [agent] });
    const run = await runtime.start(agent, 'hi');
    expect(await run.result()).toBe('answered on time');
    expect(signals[0]?.aborted).toBe(true);
    expect(signals[0]?.reason).toMatchObject({ code: 'aborted', retryable: true });
    expect((await runtime.history(run.runId)).find((h) => h.key === 'model#0' && h.kind === 'step-end')?.attempts).toBe(2);
  });
});
