/**
 * The conversation of a run, rebuilt in memory from the run's input and its recorded steps, plus
 * the request hash chain. Nothing here is journaled: replay rebuilds it (ADR 0060).
 *
 * Invariants:
 * - the conversation is a pure function of the input, the agent's instructions and the recorded
 *   step results, so a resumed run sends the same requests an uninterrupted one would;
 * - `unhashed` holds exactly the messages appended since the last model request, so hashing a
 *   request costs O(new messages), never O(conversation).
 */
import type { AgentMessage } from '../models/language-model.ts';
import type { DefinitionTracker } from './definition.ts';

/** What an agent run takes: the user's message, or a whole conversation to continue. */
export type AgentInput = string | { messages: AgentMessage[] };

/** A run's conversation and hash chain. */
export interface Conversation {
  readonly messages: AgentMessage[];
  /** Messages added since the last model request (what the next request hash covers). */
  unhashed: unknown[];
  /** Hash of the last request ('' before the first). */
  hash: string;
  /** The definition the recorded turns were made under (ADR 0101). */
  definition: DefinitionTracker;
  push(...messages: AgentMessage[]): void;
}

/** The opening conversation: instructions, then the input. Every hash also covers the definition hash (ADR 0101). */
export function openConversation(instructions: string, input: AgentInput): Conversation {
  const messages: AgentMessage[] = [];
  if (instructions.length > 0) messages.push({ role: 'system', content: instructions });
  if (typeof input === 'string') messages.push({ role: 'user', content: input });
  else messages.push(...input.messages);
  const conversation: Conversation = {
    messages,
    unhashed: [...messages],
    definition: { recorded: undefined },
    hash: '',
    push(...more) {
      messages.push(...more);
      conversation.unhashed.push(...more);
    },
  };
  return conversation;
}

/**
 * The next link of the request hash chain: SHA-256(previous hash, definition hash, new messages),
 * 128 bits in hex. Every link covers the definition in force (ADR 0101).
 */
export async function chainHash(previous: string, definition: string, added: readonly unknown[]): Promise<string> {
  const text = `${previous}\n${definition}\n${JSON.stringify(added)}`;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  let hex = '';
  for (let i = 0; i < 16; i++) hex += digest[i]!.toString(16).padStart(2, '0');
  return hex;
}
