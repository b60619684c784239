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

const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const MAX_ATTACHMENTS = 100;

function isAttachment(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const a = value as Record<string, unknown>;
  if ((a.type !== 'image' && a.type !== 'file') || !isString(a.mediaType) || !MEDIA_TYPE.test(a.mediaType)) return false;
  if (a.filename !== undefined && !(isString(a.filename) && a.filename.length <= 255)) return false;
  const inline = isString(a.data) && a.data.length % 4 === 0 && BASE64.test(a.data);
  const linked = isString(a.url) && URL.canParse(a.url) && /^https?:$/.test(new URL(a.url).protocol);
  return (a.data === undefined) !== (a.url === undefined) && (inline || linked);
}

function isMessage(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const m = value as Record<string, unknown>;
  // Only user messages carry attachments: elsewhere they would be dropped without a word.
  if (m.role !== 'user' && m.attachments !== undefined) return false;
  switch (m.role) {
    case 'system':
      return isString(m.content);
    case 'user':
      return (
        isString(m.content) &&
        (m.attachments === undefined ||
          (Array.isArray(m.attachments) && m.attachments.length <= MAX_ATTACHMENTS && m.attachments.every(isAttachment)))
      );
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
      `[@cairn/core] run "${runId}": agent input must be a string or { messages: [{ role, content }, …] } (user attachments: { type: 'image' | 'file', mediaType, data (base64) or url (http/https) })`,
    );
  }
}
