/**
 * Checking a final reply (one without tool calls): empty replies and replies that fail the output
 * schema are re-asked with a message saying what was wrong. The check is a pure function of the
 * recorded reply, so replay reaches the same verdict without journaling it.
 */
import { InvalidArgumentError } from '../errors.ts';
import type { AssistantMessage } from '../models/language-model.ts';
import type { ResolvedSchema } from './tool-schema.ts';

/** The verdict on a final reply. */
export type FinalVerdict<O> = { ok: true; output: O } | { ok: false; problem: string; reask: string };

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  // Models often wrap JSON in a Markdown fence even when asked not to.
  const fenced = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/i.exec(text);
  try {
    return { ok: true, value: JSON.parse(fenced ? fenced[1]! : text) };
  } catch {
    return { ok: false };
  }
}

/** Judge a final reply against the output schema (or, without one, only that it is not empty). */
export function checkFinal<O>(message: AssistantMessage, validate: ResolvedSchema['validate'] | undefined): FinalVerdict<O> {
  const text = message.content ?? '';
  if (text.trim() === '') {
    return {
      ok: false,
      problem: 'the reply was empty',
      reask: 'Your reply was empty. Answer the request, or call a tool if you need one.',
    };
  }
  if (!validate) return { ok: true, output: text as O };
  const json = parseJson(text);
  if (!json.ok) {
    return {
      ok: false,
      problem: 'the reply was not valid JSON',
      reask: 'Your reply was not valid JSON. Reply again with only a JSON value that matches the required output schema.',
    };
  }
  const checked = validate(json.value);
  // Replay must reach the same verdict without awaiting anything: the check is synchronous.
  if (checked instanceof Promise) {
    checked.catch(() => {});
    throw new InvalidArgumentError('[@cairn/core] the output schema validates asynchronously; use a synchronous schema');
  }
  if (checked.ok) return { ok: true, output: checked.value as O };
  const issues = checked.issues;
  return {
    ok: false,
    problem: `the reply did not match the output schema (${issues})`,
    reask: `Your reply did not match the required output schema: ${issues}. Reply again with only a JSON value that matches it.`,
  };
}
