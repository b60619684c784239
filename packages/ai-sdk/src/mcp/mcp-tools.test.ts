// MCP tools as durable Cairn tools: a real MCP server built with the SDK, over stdio and streamable
// HTTP, an agent (through @ai-sdk/anthropic to the local Messages API server) calling its tools in a
// child process that is SIGKILLed inside a tool call and resumed in a new one: the tool's onUnknown
// policy applies, nothing journaled is called again, the idempotency key reached the server in _meta.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAnthropic } from '@ai-sdk/anthropic';
import { Agent, createMemoryStore } from '@cairn/core';
import { killRunningChildren, resultOf, runKillableChild } from '@cairn/test-rigs/kill-child';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AnthropicTestServer, createAnthropicTestServer } from '../../test/test-support/anthropic-test-server.ts';
import { createAISDKModel } from '../ai-sdk-model.ts';
import { IDEMPOTENCY_META_KEY, mcpTools } from './mcp-tools.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../test/test-support/fixtures/${name}`, import.meta.url));
const runChild = (script: string, args: object, killWhen?: () => boolean) =>
  runKillableChild(script, args, killWhen ? { killWhen } : {});
const SERVER = fixture('mcp-server.ts');
const CHILD = fixture('mcp-child.ts');
const temp = makeTempDir('ai-sdk-mcp');
let model: AnthropicTestServer;
let http: ChildProcess;
let url: string;

const UNKNOWN = 'Error: the outcome of this call is unknown';

// biome-ignore lint/suspicious/noExplicitAny: request bodies as the server received them
function toolResults(body: any): string[] {
  return body.messages.flatMap((m: { role: string; content: unknown }) =>
    m.role === 'user' && Array.isArray(m.content)
      ? m.content.filter((p: { type: string }) => p.type === 'tool_result').map((p: { content: string }) => p.content)
      : [],
  );
}

function readLedger(file: string): Array<{ tool: string; key: string; sku: string }> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [tool, key, sku] = line.split('\t');
      return { tool: tool!, key: key!, sku: sku! };
    });
}

beforeAll(async () => {
  model = await createAnthropicTestServer({
    respond: (body) => {
      const turn = body.messages.filter((m: { role: string }) => m.role === 'assistant').length;
      if (turn === 0)
        return {
          toolCalls: [
            { id: 'toolu_0_0', name: 'shop_lookup_stock', input: { sku: 'A' } },
            { id: 'toolu_0_1', name: 'shop_place_order', input: { sku: 'A', qty: 1 } },
          ],
        };
      if (turn === 1) return { toolCalls: [{ id: 'toolu_1_0', name: 'shop_place_order', input: { sku: 'SLOW', qty: 1 } }] };
      if (turn === 2) return { toolCalls: [{ id: 'toolu_2_0', name: 'shop_fail_order', input: { sku: 'B' } }] };
      return { text: `Results: ${toolResults(body).join(' | ')}` };
    },
  });
  http = spawn(process.execPath, [SERVER, 'http', join(temp.path, 'http.ledger')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    http.stdout!.once('data', (data: Buffer) => resolve(JSON.parse(data.toString()).port));
    http.once('exit', (code) => reject(new Error(`MCP server exited ${code}`)));
  });
  url = `http://127.0.0.1:${port}/mcp`;
});
afterEach(killRunningChildren);
afterAll(async () => {
  http.kill('SIGKILL');
  await model.close();
  temp.remove();
});

describe('mcpTools over a real MCP server', () => {
  it('lists the server tools with their JSON Schemas and calls them with the idempotency key in _meta', async () => {
    const client = new Client({ name: 'cairn-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    try {
      const tools = await mcpTools(client, { prefix: 'shop_', tools: { lookup_stock: { effect: 'retry' } } });
      expect(tools.map((t) => [t.name, t.effect])).toEqual([
        ['shop_lookup_stock', 'retry'],
        ['shop_place_order', 'once'],
        ['shop_fail_order', 'once'],
      ]);
      expect(tools[1]!.parameters).toMatchObject({
        type: 'object',
        properties: { sku: { type: 'string' }, qty: { type: 'integer', minimum: 1 } },
        required: ['sku', 'qty'],
      });
      const from = model.requests.length;
      const agent = new Agent({
        model: createAISDKModel(createAnthropic({ baseURL: model.baseURL, apiKey: 'k' })('claude-sonnet-4-5')),
        tools,
        store: createMemoryStore(),
      });
      const result = await agent.run('Order.', { runId: 'run_mcp_inline' });
      expect(result).toMatchObject({
        status: 'completed',
        output:
          'Results: {"sku":"A","stock":3} | ordered 1 × A as ord-A | ordered 1 × SLOW as ord-SLOW | Error: tool "shop_fail_order" failed: out of stock: B',
      });
      expect(model.requests[from]!.body.tools[1].input_schema).toEqual(tools[1]!.parameters);
      const keys = readLedger(join(temp.path, 'http.ledger')).map((l) => l.key);
      expect(keys).toHaveLength(3);
      for (const key of keys) expect(key.startsWith('run_mcp_inline:')).toBe(true);
      expect(new Set(keys).size).toBe(3);
      await agent.close();
      await expect(mcpTools(client, { tools: { nope: {} } })).rejects.toThrow('the server has no tool "nope"');
      expect(IDEMPOTENCY_META_KEY).toBe('dev.cairn/idempotency-key');
    } finally {
      await client.close();
    }
  });

  it('applies per-tool needsApproval, and sends no _meta key when told not to', async () => {
    const client = new Client({ name: 'cairn-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    try {
      const ledger = join(temp.path, 'http.ledger');
      const before = readLedger(ledger).length;
      const agent = new Agent({
        model: createAISDKModel(createAnthropic({ baseURL: model.baseURL, apiKey: 'k' })('claude-sonnet-4-5')),
        tools: await mcpTools(client, {
          prefix: 'shop_',
          idempotencyMetaKey: false,
          defaults: { effect: 'retry' },
          tools: { place_order: { effect: 'once', needsApproval: (input) => (input as { sku: string }).sku === 'SLOW' } },
        }),
        store: createMemoryStore(),
      });
      const paused = await agent.run('Order.', { runId: 'run_mcp_approval' });
      expect(paused).toMatchObject({ status: 'paused', pauseReason: 'approval' });
      expect(
        readLedger(ledger)
          .slice(before)
          .map((l) => l.sku),
      ).toEqual(['A', 'A']);
      const done = await agent.approve('run_mcp_approval', 'toolu_1_0', { approved: false, by: 'ada@example.com' });
      expect(done).toMatchObject({ status: 'completed' });
      expect((done as { output: string }).output).toContain('The call was rejected by ada@example.com');
      const calls = readLedger(ledger).slice(before);
      expect(calls.map((l) => l.sku)).toEqual(['A', 'A']);
      expect(calls.every((l) => l.key === 'undefined')).toBe(true);
      await agent.close();
    } finally {
      await client.close();
    }
  });

  const cases = [
    { transport: 'stdio', onUnknown: 'report' },
    { transport: 'http', onUnknown: 'retry' },
    { transport: 'stdio', onUnknown: 'fail' },
  ] as const;
  for (const { transport, onUnknown } of cases) {
    it(`killed inside a tool call over ${transport} and resumed: onUnknown '${onUnknown}' applies`, {
      timeout: 90_000,
    }, async () => {
      const name = `${transport}-${onUnknown}`;
      const ledger = join(temp.path, transport === 'http' ? 'http.ledger' : `${name}.ledger`);
      const before = readLedger(ledger).length;
      const args = {
        transport,
        url,
        ledger,
        db: join(temp.path, `${name}.db`),
        runId: `run_${name.replace('-', '_')}`,
        baseURL: model.baseURL,
        onUnknown,
      };
      const from = model.requests.length;
      const killed = await runChild(CHILD, { ...args, mode: 'start' }, () =>
        readLedger(ledger)
          .slice(before)
          .some((l) => l.sku === 'SLOW'),
      );
      expect(killed.signal).toBe('SIGKILL');
      const resumed = await runChild(CHILD, { ...args, mode: 'resume' });
      const calls = readLedger(ledger).slice(before);
      // Journaled before the kill, so not called again: the lookup and the first order.
      expect(calls.filter((c) => c.sku === 'A').map((c) => c.tool)).toEqual(['lookup_stock', 'place_order']);
      const slow = calls.filter((c) => c.sku === 'SLOW');
      const bodies = model.requests.slice(from).map((r) => r.rawBody);
      // The model calls answered before the kill were not made again (only one could be in flight).
      expect(bodies.length - new Set(bodies).size).toBeLessThanOrEqual(1);
      if (onUnknown === 'report') {
        expect(slow).toHaveLength(1);
        const output = resultOf(resumed).output as string;
        expect(output).toContain(`ordered 1 × A as ord-A | ${UNKNOWN}`);
        expect(output).toContain('| Error: tool "shop_fail_order" failed: out of stock: B');
      } else if (onUnknown === 'retry') {
        // Run again, with the same idempotency key for the server to deduplicate.
        expect(slow).toHaveLength(2);
        expect(slow[1]!.key).toBe(slow[0]!.key);
        expect(resultOf(resumed).output).toContain('ordered 1 × A as ord-A | ordered 1 × SLOW as ord-SLOW |');
      } else {
        expect(slow).toHaveLength(1);
        const line = resumed.lines.find((l) => l.event === 'error');
        expect(line).toMatchObject({ event: 'error', code: 'run-failed' });
        expect(line.message).toMatch(/outcome|unknown/i);
      }
    });
  }
});
