/**
 * A validator for raw JSON Schema tool inputs (ADR 0131), compiled once when the tool is defined.
 * It covers the keywords tool schemas use — `type`, `properties`, `required`,
 * `additionalProperties`, `items`, `enum`, `const`, `anyOf`/`oneOf`/`allOf`, numeric and string
 * bounds, `pattern` — and ignores annotations (`title`, `description`, `default`, `examples`,
 * `format`…). Any other keyword (`$ref`, `if`, `patternProperties`…) is refused at definition, with
 * its path: a schema Cairn cannot check is not silently half-checked. Core stays dependency-free.
 */
import { InvalidArgumentError } from '../errors.ts';

/** One problem: where (`a.b.0`) and what. */
export interface SchemaIssue {
  path: readonly PropertyKey[];
  message: string;
}

type Check = (value: unknown, path: PropertyKey[], issues: SchemaIssue[]) => void;

const ANNOTATIONS = new Set([
  '$schema',
  '$id',
  '$comment',
  'title',
  'description',
  'default',
  'examples',
  'format',
  'deprecated',
  'readOnly',
  'writeOnly',
]);
const TYPES = new Set(['object', 'array', 'string', 'number', 'integer', 'boolean', 'null']);
const MAX_DEPTH = 32;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const short = (value: unknown) => JSON.stringify(value)?.slice(0, 60) ?? String(value);

/** Compile `schema` into a checker; throws `InvalidArgumentError` naming `what` and the keyword's path. */
export function compileJsonSchema(schema: unknown, what: string): (value: unknown) => SchemaIssue[] {
  const check = compile(schema, what, '#', 0);
  return (value) => {
    const issues: SchemaIssue[] = [];
    check(value, [], issues);
    return issues;
  };
}

function compile(schema: unknown, what: string, at: string, depth: number): Check {
  const refuse = (why: string): never => {
    throw new InvalidArgumentError(`[@cairn/core] ${what}: JSON Schema ${at}: ${why}`);
  };
  if (depth > MAX_DEPTH) refuse(`nested deeper than ${MAX_DEPTH} levels`);
  if (schema === true) return () => {};
  if (schema === false) return (_v, path, issues) => void issues.push({ path: [...path], message: 'no value is allowed here' });
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema))
    return refuse('a schema must be an object or a boolean');
  const s = schema as Record<string, unknown>;
  const checks: Check[] = [];
  const sub = (value: unknown, key: string) => compile(value, what, `${at}/${key}`, depth + 1);
  const number = (key: string): number => {
    const n = s[key];
    if (typeof n !== 'number' || !Number.isFinite(n)) refuse(`"${key}" must be a finite number`);
    return n as number;
  };

  for (const key of Object.keys(s)) {
    if (ANNOTATIONS.has(key)) continue;
    switch (key) {
      case 'type': {
        const types = Array.isArray(s.type) ? s.type : [s.type];
        if (types.length === 0 || !types.every((t) => typeof t === 'string' && TYPES.has(t)))
          refuse(`unknown "type" ${short(s.type)}`);
        checks.push((v, path, issues) => {
          if (!types.some((t) => matchesType(v, t as string)))
            issues.push({ path: [...path], message: `expected ${types.join(' or ')}, received ${typeOf(v)}` });
        });
        break;
      }
      case 'properties': {
        const props = s.properties;
        if (typeof props !== 'object' || props === null || Array.isArray(props)) refuse('"properties" must be an object');
        const entries = Object.entries(props as object).map(([name, p]) => [name, sub(p, `properties/${name}`)] as const);
        checks.push((v, path, issues) => {
          if (typeOf(v) !== 'object') return;
          for (const [name, c] of entries)
            if (Object.hasOwn(v as object, name)) c((v as Record<string, unknown>)[name], [...path, name], issues);
        });
        break;
      }
      case 'required': {
        const required = s.required;
        if (!Array.isArray(required) || !required.every((r) => typeof r === 'string'))
          refuse('"required" must be an array of strings');
        checks.push((v, path, issues) => {
          if (typeOf(v) !== 'object') return;
          for (const name of required as string[])
            if (!Object.hasOwn(v as object, name)) issues.push({ path: [...path, name], message: 'required' });
        });
        break;
      }
      case 'additionalProperties': {
        const known = new Set(Object.keys((s.properties as object | undefined) ?? {}));
        const c = sub(s.additionalProperties, 'additionalProperties');
        checks.push((v, path, issues) => {
          if (typeOf(v) !== 'object') return;
          for (const name of Object.keys(v as object)) {
            if (known.has(name)) continue;
            if (s.additionalProperties === false) issues.push({ path: [...path, name], message: 'unrecognized key' });
            else c((v as Record<string, unknown>)[name], [...path, name], issues);
          }
        });
        break;
      }
      case 'items': {
        const c = sub(s.items, 'items');
        checks.push((v, path, issues) => {
          if (Array.isArray(v)) for (const [i, item] of v.entries()) c(item, [...path, i], issues);
        });
        break;
      }
      case 'enum': {
        if (!Array.isArray(s.enum) || s.enum.length === 0) refuse('"enum" must be a non-empty array');
        const values = s.enum as unknown[];
        checks.push((v, path, issues) => {
          if (!values.some((e) => equal(e, v)))
            issues.push({ path: [...path], message: `expected one of ${values.map(short).join(', ').slice(0, 200)}` });
        });
        break;
      }
      case 'const':
        checks.push((v, path, issues) => {
          if (!equal(s.const, v)) issues.push({ path: [...path], message: `expected ${short(s.const)}` });
        });
        break;
      case 'anyOf':
      case 'oneOf':
      case 'allOf': {
        const list = s[key];
        if (!Array.isArray(list) || list.length === 0) refuse(`"${key}" must be a non-empty array`);
        const cs = (list as unknown[]).map((x, i) => sub(x, `${key}/${i}`));
        checks.push((v, path, issues) => {
          const results = cs.map((c) => {
            const found: SchemaIssue[] = [];
            c(v, path, found);
            return found;
          });
          const passing = results.filter((r) => r.length === 0).length;
          if (key === 'allOf') issues.push(...results.flat());
          else if (passing === 0 || (key === 'oneOf' && passing > 1))
            issues.push({
              path: [...path],
              message: passing > 1 ? 'matches more than one of the allowed schemas' : 'matches none of the allowed schemas',
            });
        });
        break;
      }
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
      case 'multipleOf': {
        const n = number(key);
        if (key === 'multipleOf' && n <= 0) refuse('"multipleOf" must be positive');
        const ok: Record<string, (x: number) => boolean> = {
          minimum: (x) => x >= n,
          maximum: (x) => x <= n,
          exclusiveMinimum: (x) => x > n,
          exclusiveMaximum: (x) => x < n,
          multipleOf: (x) => Number.isInteger(x / n),
        };
        const words: Record<string, string> = {
          minimum: `>= ${n}`,
          maximum: `<= ${n}`,
          exclusiveMinimum: `> ${n}`,
          exclusiveMaximum: `< ${n}`,
          multipleOf: `a multiple of ${n}`,
        };
        checks.push((v, path, issues) => {
          if (typeof v === 'number' && !ok[key]!(v)) issues.push({ path: [...path], message: `expected a number ${words[key]}` });
        });
        break;
      }
      case 'minLength':
      case 'maxLength':
      case 'minItems':
      case 'maxItems': {
        const n = number(key);
        const min = key.startsWith('min');
        const items = key.endsWith('Items');
        checks.push((v, path, issues) => {
          const length = items ? (Array.isArray(v) ? v.length : undefined) : typeof v === 'string' ? [...v].length : undefined;
          if (length !== undefined && (min ? length < n : length > n))
            issues.push({
              path: [...path],
              message: `expected ${min ? 'at least' : 'at most'} ${n} ${items ? 'items' : 'characters'}`,
            });
        });
        break;
      }
      case 'pattern': {
        let re: RegExp;
        try {
          re = new RegExp(String(s.pattern), 'u');
        } catch {
          return refuse(`"pattern" is not a valid regular expression`);
        }
        checks.push((v, path, issues) => {
          if (typeof v === 'string' && !re.test(v))
            issues.push({ path: [...path], message: `does not match the pattern ${short(s.pattern)}` });
        });
        break;
      }
      default:
        refuse(
          `the keyword "${key.slice(0, 40)}" is not supported by Cairn's JSON Schema check; pass a Standard Schema (zod, valibot, arktype) as input, with the JSON Schema as parameters`,
        );
    }
  }
  return (value, path, issues) => {
    for (const c of checks) c(value, path, issues);
  };
}
