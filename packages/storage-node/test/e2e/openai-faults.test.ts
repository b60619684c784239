// Fault injection: the real `openai` client (through createOpenAIModel) against a local server that
// answers 429, 500, 401, stalls, sends malformed JSON, cuts a stream or ends it early. Each fault must
// end in its documented outcome (ADR 0063) — retried and completed, or failed with a clear error —
// never a hang and never a damaged journal. Also: no credential ever reaches the store.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Agent,
  type CairnError,
  createMemoryBacking,
  createMemoryStore,
  type DurableStore,
  type RunEvent,
  RunFailedError,
} from '@cairn/core';
import { createOpenAIModel } from '@cairn/core/openai';
import { createOpenAITestServer, type Fault, type OpenAITestServer } from '@cairn/test-rigs/openai-test-server';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/index.ts';

const API_KEY = 'sk-test-faults-90c2e71f5ab3';
const HEADER_SECRET = 'hdr-secret-44b1e0a7';
const ANSWER = 'The ledger balances: 2000 cents in, 2000 cents out.';

const temp = makeTempDir('openai-faults');
let server: OpenAITestServer;
const open: Array<{ agent: Agent; store: DurableStore }> = [];

beforeAll(async () => {
  server = await createOpenAITestServer({
    respond: () => ({ text: ANSWER, usage: { prompt: 30, completion: 12 } }),
    chunkDelayMs: 1,
  });
});
afterEach(async () => {
  for (const { agent, store } of open.splice(0)) {
    await agent.close();
    await store.close();
  }
});
afterAll(async () => {
  await server.close();
  temp.remove();
});

function setup(options: { stream?: boolean; timeoutMs?: number; store?: DurableStore } = {}) {
  const path = join(temp.path, `${crypto.randomUUID()}.db`);
  const store = options.store ?? createSqliteStore({ path });
  const events: RunEvent[] = [];
  const agent = new Agent({
    model: createOpenAIModel({
      model: 'ledger-model',
      apiKey: API_KEY,
      baseURL: server.baseURL,
      headers: { 'x-secret-header': HEADER_SECRET },
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    }),
    stream: options.stream ?? true,
    modelRetry: { maxAttempts: 3, backoff: { initialMs: 20, factor: 2, jitter: 0 } },
    store,
    runtime: { onEvent: (event) => events.push(event) },
  });
  open.push({ agent, store });
  return { agent, store, path, events, from: server.requests.length };
}

async function expectIntact(store: DurableStore, runId: string): Promise<void> {
  const entries = await store.readEntries(runId);
  expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
  expect(entries.at(-1)?.kind).toBe('run-end');
  expect(entries.filter((e) => e.kind === 'run-end')).toHaveLength(1);
}

function expectNoSecretsIn(path: string): void {
  for (const suffix of ['', '-wal']) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(`${path}${suffix}`);
    } catch {
      continue;
    }
    expect(bytes.includes(API_KEY)).toBe(false);
    expect(bytes.includes(HEADER_SECRET)).toBe(false);
  }
}

async function retriedAndCompleted(fault: Fault, stream: boolean, timeoutMs?: number) {
  const t = setup({ stream, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
  server.fail(fault);
  const result = await t.agent.run('Balance the ledger.');
  expect(result).toMatchObject({ status: 'completed', output: ANSWER });
  const requests = server.requests.slice(t.from);
  expect(requests.map((r) => r.fault ?? 'ok')).toEqual([fault.kind, 'ok']);
  const history = await t.agent.runtime.history(result.runId);
  expect(history.find((h) => h.kind === 'step-end' && h.key === 'model#0')?.attempts).toBe(2);
  expect(t.events.filter((e) => e.type === 'step-retry')).toHaveLength(1);
  await expectIntact(t.store, result.runId);
  expectNoSecretsIn(t.path);
  return { ...t, result, requests };
}

describe('OpenAI faults end in their documented outcome', () => {
  it('429 with retry-after-ms: waits as told, then completes', { timeout: 15_000 }, async () => {
    const { requests, events } = await retriedAndCompleted(
      { kind: 'status', status: 429, headers: { 'retry-after-ms': '400' } },
      true,
    );
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(390);
    expect(events.find((e) => e.type === 'step-retry')).toMatchObject({ delayMs: 400, error: { name: 'RetryAfterError' } });
  });

  it('429 with retry-after in seconds: waits as told, then completes', { timeout: 15_000 }, async () => {
    const { requests } = await retriedAndCompleted({ kind: 'status', status: 429, headers: { 'retry-after': '1' } }, false);
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(990);
  });

  it('500: retried, then completes', { timeout: 15_000 }, async () => {
    await retriedAndCompleted({ kind: 'status', status: 500 }, true);
  });

  it('a stalled response: the client times out, the call is retried, then completes', { timeout: 15_000 }, async () => {
    const { requests } = await retriedAndCompleted({ kind: 'stall' }, false, 300);
    expect(requests[0]!.clientClosedEarly).toBe(true);
  });

  it('malformed JSON, plain and streamed: retried, then completes', { timeout: 15_000 }, async () => {
    await retriedAndCompleted({ kind: 'malformed-json' }, false);
    await retriedAndCompleted({ kind: 'malformed-json' }, true);
  });

  it('a connection cut mid-stream: retried, and only the final message is journaled', { timeout: 15_000 }, async () => {
    const { events, store, result } = await retriedAndCompleted({ kind: 'cut-stream', afterChunks: 4 }, true);
    const deltas = events.flatMap((e) => (e.type === 'text-delta' ? [e.delta] : []));
    // The cut attempt streamed a prefix; the retry streamed everything.
    expect(deltas.join('').endsWith(ANSWER)).toBe(true);
    expect(deltas.join('').length).toBeGreaterThan(ANSWER.length);
    const modelEntries = (await store.readEntries(result.runId)).filter((e) => e.key.startsWith('model#'));
    expect(modelEntries).toHaveLength(1);
    expect(JSON.parse(modelEntries[0]!.payload).v.m.content).toBe(ANSWER);
  });

  it('a stream that ends before its finish reason: retried, then completes', { timeout: 15_000 }, async () => {
    await retriedAndCompleted({ kind: 'truncated-stream' }, true);
  });

  it('401: fails at once with a clear error carrying the run id, status and model, and no secret', {
    timeout: 15_000,
  }, async () => {
    const t = setup();
    server.fail({
      kind: 'status',
      status: 401,
      body: {
        error: {
          message: `Incorrect API key provided: ${API_KEY.slice(0, 10)}***`,
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      },
    });
    const error = await t.agent.run('Balance the ledger.').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunFailedError);
    const runId = (error as RunFailedError).runId;
    expect(server.requests.length - t.from).toBe(1);
    const cause = (error as Error).cause as CairnError;
    expect(cause).toMatchObject({ code: 'model-error', retryable: false });
    expect(cause.message).toMatch(
      new RegExp(
        `^\\[@cairn/core\\] run "${runId}": model "ledger-model": HTTP 401 \\(invalid_api_key, request req_\\d+\\): check the API key$`,
      ),
    );
    expect((error as Error).message).not.toContain(API_KEY.slice(0, 10));
    const info = await t.agent.runtime.get(runId);
    expect(JSON.stringify(info)).not.toContain('Incorrect API key');
    await expectIntact(t.store, runId);
    expectNoSecretsIn(t.path);
  });

  it('a persistent 503: fails after the retry budget with a retryable model error, no hang', { timeout: 15_000 }, async () => {
    const t = setup();
    server.fail(...Array.from({ length: 3 }, (): Fault => ({ kind: 'status', status: 503 })));
    const error = await t.agent.run('Balance the ledger.').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunFailedError);
    expect(server.requests.length - t.from).toBe(3);
    expect(((error as Error).cause as CairnError).message).toContain('model "ledger-model": HTTP 503');
    const history = await t.agent.runtime.history((error as RunFailedError).runId);
    expect(history.find((h) => h.kind === 'step-fail')).toMatchObject({
      key: 'model#0',
      attempts: 3,
      error: { code: 'model-error', retryable: true },
    });
    await expectIntact(t.store, (error as RunFailedError).runId);
  });

  it('cancelling a run aborts the in-flight HTTP request', { timeout: 15_000 }, async () => {
    const t = setup({ stream: false });
    server.fail({ kind: 'stall' });
    const controller = new AbortController();
    const pending = t.agent.run('Balance the ledger.', { signal: controller.signal });
    const deadline = Date.now() + 5000;
    while (server.requests.length === t.from && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'run-cancelled' });
    await new Promise((r) => setTimeout(r, 50));
    expect(server.requests[t.from]?.clientClosedEarly).toBe(true);
  });

  it('writes no credential into a memory store either', { timeout: 15_000 }, async () => {
    const backing = createMemoryBacking();
    const t = setup({ store: createMemoryStore({ backing }) });
    server.fail({ kind: 'status', status: 500 });
    const result = await t.agent.run('Balance the ledger.');
    expect(result.status).toBe('completed');
    const everything = JSON.stringify({ runs: [...backing.runs.values()], entries: [...backing.entries.values()] });
    expect(everything).toContain(ANSWER);
    expect(everything).not.toContain(API_KEY);
    expect(everything).not.toContain(HEADER_SECRET);
  });
});
