/**
 * The check of an agent run's input: a string, or `{ messages }` of well-formed messages. Written
 * by hand so core needs no schema library at run time (ADR 0133).
 */
import { InvalidArgumentError } from '../errors.ts';
import type { AgentInput } from './conversation.ts';

const isString = (value: unknown): value is string => typeof value === 'string';

function isToolCall(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  return isString(c.id) && isString(c.name) && isString(c.arguments);
}

function isMessage(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const m = value as Record<string, unknown>;
  switch (m.role) {
    case 'system':
    case 'user':
      return isString(m.content);
    case 'assistant':
      return (
        (m.content === null || isString(m.content)) &&
        (m.toolCalls === undefined || (Array.isArray(m.toolCalls) && m.toolCalls.every(isToolCall)))
      );
    case 'tool':
      return isString(m.toolCallId) && isString(m.content);
    default:
      return false;
  }
}

/** Throw unless `input` is an `AgentInput`. */
export function assertAgentInput(input: unknown, runId: string): asserts input is AgentInput {
  const messages = typeof input === 'object' && input !== null ? (input as { messages?: unknown }).messages : undefined;
  const ok = isString(input) || (Array.isArray(messages) && messages.length > 0 && messages.every(isMessage));
  if (!ok) {
    throw new InvalidArgumentError(
      `[@cairn/core] run "${runId}": agent input must be a string or { messages: [{ role, content }, …] }`,
    );
  }
}
