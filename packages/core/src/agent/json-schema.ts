/**
 * zod v4 schemas → JSON Schema for the model, computed once when a tool or agent is defined.
 */
import { type ZodType, z } from 'zod';
import { InvalidArgumentError } from '../errors.ts';

/**
 * The JSON Schema of what the model must send (zod's input side: defaults are optional, transforms
 * see their input). Throws `InvalidArgumentError` naming `what` for types JSON Schema cannot express.
 */
export function toJsonSchema(schema: ZodType, what: string): Record<string, unknown> {
  let json: Record<string, unknown>;
  try {
    json = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  } catch (error) {
    throw new InvalidArgumentError(
      `[@cairn/core] ${what}: the schema cannot be expressed as JSON Schema (${(error as Error).message})`,
    );
  }
  // Providers take the schema inline; a `$schema` dialect marker only costs tokens.
  const { $schema: _dialect, ...rest } = json;
  return rest;
}

/** A short, value-free summary of why `value` failed `schema` (paths and zod's messages). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 8)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
