// One agent, the same tool declared seven ways — zod 3 (with zod-to-json-schema), valibot, arktype,
// a raw JSON Schema, AI SDK tool()s over zod 4, zod 3 and jsonSchema() — through
// @ai-sdk/anthropic to the local Messages API server: the model receives the same JSON Schema for
// each, invalid arguments go back to the model as a tool error, valid ones run once.
import { createAnthropic } from '@ai-sdk/anthropic';
import { Agent, type AnyTool, createMemoryStore, tool } from '@cairn/core';
import { toStandardJsonSchema } from '@valibot/to-json-schema';
import { tool as aiTool, jsonSchema } from 'ai';
import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as z3 from 'zod/v3';
import { zodToJsonSchema } from 'zod-to-json-schema';
import { createAnthropicTestServer } from '../test/test-support/anthropic-test-server.ts';
import { createAISDKModel } from './ai-sdk-model.ts';
import { fromAISDKTools } from './ai-sdk-tools.ts';

const SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1, maximum: 7 } },
  required: ['city', 'days'],
  additionalProperties: false,
} as const;

type Forecast = { city: string; days: number };

describe('tools from any schema library', () => {
  it('sends the same JSON Schema for each, returns invalid arguments to the model, runs valid calls once', async () => {
    const ran: string[] = [];
    const execute =
      (name: string) =>
      async ({ city, days }: Forecast) => {
        ran.push(name);
        return { forecast: `${city} for ${days} days (${name})` };
      };
    const z3Schema = z3.object({ city: z3.string(), days: z3.number().int().min(1).max(7) }).strict();
    const tools: AnyTool[] = [
      tool({
        name: 'zod3',
        description: 'Forecast',
        input: z3Schema,
        parameters: zodToJsonSchema(z3Schema),
        execute: execute('zod3'),
      }),
      tool({
        name: 'valibot',
        description: 'Forecast',
        input: toStandardJsonSchema(
          v.strictObject({ city: v.string(), days: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(7)) }),
        ),
        execute: execute('valibot'),
      }),
      tool({
        name: 'arktype',
        description: 'Forecast',
        input: type({ '+': 'reject', city: 'string', days: '1 <= number.integer <= 7' }),
        execute: execute('arktype'),
      }),
      tool({ name: 'json', description: 'Forecast', input: SCHEMA, execute: (input) => execute('json')(input as Forecast) }),
      ...(await fromAISDKTools(
        {
          ai_zod: aiTool({
            description: 'Forecast',
            inputSchema: z.strictObject({ city: z.string(), days: z.int().min(1).max(7) }),
            execute: execute('ai_zod'),
          }),
          ai_zod3: aiTool({ description: 'Forecast', inputSchema: z3Schema, execute: execute('ai_zod3') }),
          ai_json: aiTool({
            description: 'Forecast',
            inputSchema: jsonSchema<Forecast>(structuredClone(SCHEMA) as never),
            execute: execute('ai_json'),
          }),
        },
        { ai_zod: { effect: 'retry' } },
      )),
    ];
    const names = tools.map((t) => t.name);
    const server = await createAnthropicTestServer({
      respond: (body) => {
        const turn = body.messages.filter((m: { role: string }) => m.role === 'assistant').length;
        const args = turn === 0 ? { city: 5, days: 0 } : { city: 'Oslo', days: 2 };
        if (turn < 2) return { toolCalls: names.map((name) => ({ id: `toolu_${turn}_${name}`, name, input: args })) };
        return { text: 'Done.' };
      },
    });
    try {
      const agent = new Agent({
        model: createAISDKModel(createAnthropic({ baseURL: server.baseURL, apiKey: 'k' })('claude-sonnet-4-5')),
        tools,
        store: createMemoryStore(),
        maxToolErrors: 7,
      });
      const result = await agent.run('Forecast Oslo.');
      expect(result).toMatchObject({ status: 'completed', output: 'Done.' });

      const [first, second, third] = server.requests;
      expect(first!.body.tools.map((t: { name: string }) => t.name)).toEqual(names);
      for (const t of first!.body.tools) expect(t.input_schema, t.name).toEqual(SCHEMA);

      const results = (body: { messages: Array<{ role: string; content: unknown }> }) =>
        (body.messages.at(-1)!.content as Array<{ type: string; tool_use_id: string; content: string }>).filter(
          (p) => p.type === 'tool_result',
        );
      const errors = results(second!.body);
      expect(errors).toHaveLength(names.length);
      for (const [i, name] of names.entries()) {
        expect(errors[i]!.tool_use_id).toBe(`toolu_0_${name}`);
        expect(errors[i]!.content, name).toMatch(
          new RegExp(
            `^Error: invalid arguments for tool "${name}": .*city.*\\. Call it again with arguments that match its schema\\.$`,
          ),
        );
      }
      expect(ran.sort()).toEqual([...names].sort());
      const outputs = results(third!.body).map((p) => JSON.parse(p.content).forecast);
      expect(outputs).toEqual(names.map((name) => `Oslo for 2 days (${name})`));
      await agent.close();
    } finally {
      await server.close();
    }
  });

  it('refuses schemas it cannot send or check, naming the tool', async () => {
    const base = { description: 'x', execute: () => 1 };
    expect(() => tool({ ...base, name: 'v', input: v.object({ a: v.string() }) as never })).toThrow(
      /tool "v": a valibot schema without a JSON Schema converter .*pass its JSON Schema as parameters/,
    );
    expect(() => tool({ ...base, name: 'r', input: { type: 'object', properties: { a: { $ref: '#/$defs/a' } } } })).toThrow(
      /tool "r": JSON Schema #\/properties\/a: the keyword "\$ref" is not supported/,
    );
    expect(() => tool({ ...base, name: 'n', input: { type: 'string' } as never })).toThrow(
      /tool "n": expected a Standard Schema .* or a JSON Schema with type "object"/,
    );
    await expect(fromAISDKTools({ c: aiTool({ description: 'client side', inputSchema: z.object({}) }) })).rejects.toThrow(
      /tool "c": the tool has no execute function/,
    );
    await expect(fromAISDKTools({ a: aiTool({ inputSchema: z.object({}), execute: async () => 1 }) }, { b: {} })).rejects.toThrow(
      /options for an unknown tool "b"/,
    );
  });
});
