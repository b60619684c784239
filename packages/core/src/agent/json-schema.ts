/**
 * zod v4 schemas → JSON Schema for the model, computed once when an agent is defined (through the
 * schema's Standard JSON Schema converter: core imports no zod at run time; ADR 0131).
 */
import type { ZodType, z } from 'zod';
import { describeIssues as describe, resolveSchema } from './tool-schema.ts';

/**
 * The JSON Schema of what the model must send (zod's input side: defaults are optional, transforms
 * see their input). Throws `InvalidArgumentError` naming `what` for types JSON Schema cannot express.
 */
export function toJsonSchema(schema: ZodType, what: string): Record<string, unknown> {
  return resolveSchema(schema, undefined, what).json;
}

/** A short, value-free summary of why `value` failed `schema` (paths and zod's messages). */
export function describeIssues(error: z.ZodError): string {
  return describe(error.issues);
}
