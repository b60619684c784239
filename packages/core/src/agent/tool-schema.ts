/**
 * What a tool's `input` may be (ADR 0131): any Standard Schema (zod 3 and 4, valibot, arktype,
 * effect…) or a raw JSON Schema object. Core depends on none of them: the Standard Schema
 * interface is a type (copied below, as its spec intends), its JSON Schema comes from the schema's
 * own Standard JSON Schema converter (`~standard.jsonSchema`: zod ≥ 4.2, arktype, valibot through
 * `toStandardJsonSchema`) or from the tool's `parameters`, and a raw JSON Schema is checked by
 * `compileJsonSchema`.
 */
import { InvalidArgumentError } from '../errors.ts';
import { compileJsonSchema, type SchemaIssue } from './json-schema-check.ts';

/** The Standard Schema interface (https://standardschema.dev), v1, with its JSON Schema converter. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (
      value: unknown,
    ) =>
      | { readonly value: Output; readonly issues?: undefined }
      | { readonly issues: readonly StandardIssue[] }
      | Promise<{ readonly value: Output; readonly issues?: undefined } | { readonly issues: readonly StandardIssue[] }>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
    /** The Standard JSON Schema converter, when the library implements it. */
    readonly jsonSchema?: { readonly input: (options: { readonly target: string }) => Record<string, unknown> };
  };
}

/** An issue of a Standard Schema validation. */
export interface StandardIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** A raw JSON Schema of a tool's arguments: an object schema. */
export interface ToolJsonSchema {
  readonly type: 'object';
  readonly properties?: Readonly<Record<string, unknown>>;
  readonly required?: readonly string[];
  readonly [keyword: string]: unknown;
}

/** A tool's (or an output's) schema: a Standard Schema, or a raw JSON Schema. */
export type ToolInputSchema<I> = StandardSchemaV1<unknown, I> | ToolJsonSchema;

/** What validation gives: the (possibly transformed) value, or a value-free summary of the issues. */
export type Checked = { ok: true; value: unknown } | { ok: false; issues: string };

/** A schema, ready: the JSON Schema the model sees, and a validator. */
export interface ResolvedSchema {
  json: Record<string, unknown>;
  /** Synchronous unless the Standard Schema validates asynchronously. */
  validate(value: unknown): Checked | Promise<Checked>;
}

function isStandard(schema: unknown): schema is StandardSchemaV1 {
  const std = (schema as { '~standard'?: { validate?: unknown } } | null)?.['~standard'];
  return typeof std === 'object' && std !== null && typeof std.validate === 'function';
}

/** A short, value-free summary of issues (paths and the library's messages). */
export function describeIssues(issues: readonly (StandardIssue | SchemaIssue)[]): string {
  return issues
    .slice(0, 8)
    .map((issue) => {
      const path = (issue.path ?? []).map((p) => String(typeof p === 'object' && p !== null ? p.key : p));
      return `${path.length > 0 ? path.join('.') : '(root)'}: ${issue.message}`;
    })
    .join('; ');
}

function checkedOf(result: Awaited<ReturnType<StandardSchemaV1['~standard']['validate']>>): Checked {
  return result.issues ? { ok: false, issues: describeIssues(result.issues) } : { ok: true, value: result.value };
}

/** A copy of `json` without the `$schema` dialect marker (providers take schemas inline; it only costs tokens). */
function inline(json: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = json;
  return rest;
}

/**
 * Resolve `schema` (and an explicit `parameters` JSON Schema, if given) for `what`, once, when a
 * tool or agent is defined. Throws `InvalidArgumentError` naming `what` when the schema is neither
 * kind, or when no JSON Schema can be had for it.
 */
export function resolveSchema(schema: unknown, parameters: unknown, what: string): ResolvedSchema {
  if (parameters !== undefined && (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)))
    throw new InvalidArgumentError(`[@cairn/core] ${what}: parameters must be a JSON Schema object`);
  if (isStandard(schema)) {
    const std = schema['~standard'];
    let json = parameters as Record<string, unknown> | undefined;
    if (!json) {
      if (typeof std.jsonSchema?.input !== 'function')
        throw new InvalidArgumentError(
          `[@cairn/core] ${what}: a ${String(std.vendor).slice(0, 40)} schema without a JSON Schema converter (~standard.jsonSchema); pass its JSON Schema as parameters (e.g. from zod-to-json-schema or @valibot/to-json-schema)`,
        );
      try {
        // draft 2020-12, the input side (defaults optional, transforms see their input).
        json = std.jsonSchema.input({ target: 'draft-2020-12' });
      } catch (error) {
        throw new InvalidArgumentError(
          `[@cairn/core] ${what}: the schema cannot be expressed as JSON Schema (${String((error as Error)?.message).slice(0, 200)})`,
        );
      }
    }
    return {
      json: inline(json),
      validate: (value) => {
        const result = std.validate(value);
        return result instanceof Promise ? result.then(checkedOf) : checkedOf(result);
      },
    };
  }
  if (
    typeof schema === 'object' &&
    schema !== null &&
    !Array.isArray(schema) &&
    (schema as { type?: unknown }).type === 'object'
  ) {
    if (parameters !== undefined)
      throw new InvalidArgumentError(`[@cairn/core] ${what}: a JSON Schema input is already the parameters; drop one`);
    const check = compileJsonSchema(schema, what);
    // The model sees exactly what was given (minus the dialect marker), structurally cloned.
    const json = inline(JSON.parse(JSON.stringify(schema)));
    return {
      json,
      validate: (value) => {
        const issues = check(value);
        return issues.length > 0 ? { ok: false, issues: describeIssues(issues) } : { ok: true, value };
      },
    };
  }
  const legacy = typeof schema === 'object' && schema !== null && '_def' in schema ? ' (a zod 3 schema older than 3.24?)' : '';
  throw new InvalidArgumentError(
    `[@cairn/core] ${what}: expected a Standard Schema (zod, valibot, arktype…) or a JSON Schema with type "object"${legacy}`,
  );
}
