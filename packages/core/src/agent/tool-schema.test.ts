// Tool schemas from anywhere (ADR 0131): zod 4 through its Standard JSON Schema converter gives the
// same JSON Schema as z.toJSONSchema did (request hashes of existing runs do not move); a raw JSON
// Schema is checked by Cairn's own checker, which refuses what it cannot check and bounds itself.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as z3 from 'zod/v3';
import { InvalidArgumentError } from '../errors.ts';
import { compileJsonSchema } from './json-schema-check.ts';
import { tool } from './tool.ts';
import { describeIssues, resolveSchema } from './tool-schema.ts';

const execute = () => 'ok';

describe('tool input schemas', () => {
  it('sends a zod 4 schema exactly as z.toJSONSchema (input side) without $schema', () => {
    const Node = z.object({
      name: z.string(),
      get children() {
        return z.array(Node);
      },
    });
    const schemas: z.ZodType[] = [
      z.object({ a: z.string().describe('A'), b: z.number().int().min(1).default(3), c: z.enum(['x', 'y']).optional() }),
      z.object({ n: z.string().transform((s) => s.length) }),
      z.union([z.object({ k: z.literal('a') }), z.object({ k: z.literal('b'), v: z.array(z.string()).max(3) })]),
      Node,
    ];
    for (const schema of schemas) {
      const { $schema: _d, ...expected } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
      expect(JSON.stringify(tool({ name: 't', description: '', input: schema, execute }).parameters)).toBe(
        JSON.stringify(expected),
      );
    }
  });

  it('validates zod 3 through Standard Schema with the given parameters, and returns its messages', async () => {
    const t = tool({
      name: 'z3',
      description: '',
      input: z3.object({ city: z3.string() }),
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      execute,
    });
    expect(t.parameters).toEqual({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] });
    expect(await t.validateInput({ city: 'Oslo' })).toEqual({ ok: true, value: { city: 'Oslo' } });
    expect(await t.validateInput({ city: 1 })).toEqual({ ok: false, issues: 'city: Expected string, received number' });
    expect(() => tool({ name: 'z3', description: '', input: z3.object({}), execute })).toThrow(
      'tool "z3": a zod schema without a JSON Schema converter (~standard.jsonSchema); pass its JSON Schema as parameters',
    );
  });

  it('checks a raw JSON Schema: types, required, extra keys, enums, bounds, patterns, unions, nesting', () => {
    const check = compileJsonSchema(
      {
        type: 'object',
        title: 'Order',
        properties: {
          id: { type: 'string', pattern: '^[A-Z]\\d+$', minLength: 2, maxLength: 8 },
          qty: { type: 'integer', minimum: 1, exclusiveMaximum: 100 },
          tags: { type: 'array', items: { enum: ['a', 'b'] }, maxItems: 2 },
          note: { type: ['string', 'null'] },
          pick: { oneOf: [{ const: 1 }, { type: 'string' }] },
        },
        required: ['id', 'qty'],
        additionalProperties: false,
      },
      'tool "t"',
    );
    expect(check({ id: 'A12', qty: 3, tags: ['a'], note: null, pick: 1 })).toEqual([]);
    const issues = check({ id: 'a', qty: 1.5, tags: ['c', 'a', 'b'], note: 5, pick: true, extra: '\u001b[31m' });
    expect(describeIssues(issues)).toBe(
      [
        'id: does not match the pattern "^[A-Z]\\\\d+$"',
        'id: expected at least 2 characters',
        'qty: expected integer, received number',
        'tags.0: expected one of "a", "b"',
        'tags: expected at most 2 items',
        'note: expected string or null, received integer',
        'pick: matches none of the allowed schemas',
        'extra: unrecognized key',
      ].join('; '),
    );
    expect(describeIssues(check(null))).toBe('(root): expected object, received null');
    expect(describeIssues(check({}))).toBe('id: required; qty: required');
  });

  it('refuses keywords it cannot check, bad keyword values and runaway nesting, naming where', () => {
    const refuse = (schema: unknown) => {
      try {
        compileJsonSchema(schema, 'tool "t"');
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidArgumentError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refuse({ type: 'object', properties: { a: { $ref: '#/$defs/a' } } })).toContain('#/properties/a: the keyword "$ref"');
    expect(refuse({ type: 'object', if: {} })).toContain('#: the keyword "if" is not supported');
    expect(refuse({ type: 'thing' })).toContain('unknown "type" "thing"');
    expect(refuse({ type: 'string', pattern: '(' })).toContain('"pattern" is not a valid regular expression');
    expect(refuse({ minimum: 'one' })).toContain('"minimum" must be a finite number');
    expect(refuse({ enum: [] })).toContain('"enum" must be a non-empty array');
    expect(refuse(null)).toContain('a schema must be an object or a boolean');
    let deep: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 40; i++) deep = { type: 'object', properties: { a: deep } };
    expect(refuse(deep)).toContain('nested deeper than 32 levels');
  });

  it('refuses an input that is neither kind, parameters that are not an object, and both JSON Schemas', () => {
    expect(() => resolveSchema('string', undefined, 'tool "t"')).toThrow(/expected a Standard Schema/);
    expect(() => resolveSchema(z.object({}), [], 'tool "t"')).toThrow('tool "t": parameters must be a JSON Schema object');
    expect(() => resolveSchema({ type: 'object' }, { type: 'object' }, 'tool "t"')).toThrow(/already the parameters/);
  });
});
