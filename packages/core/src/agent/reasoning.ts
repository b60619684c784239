/**
 * Reasoning parts of an assistant message, as journaled (ADR 0134): text plus the provider's opaque
 * metadata, kept only when it is plain JSON objects (anything else is dropped, never journaled half).
 */
import type { ReasoningPart } from '../models/language-model.ts';

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The reasoning parts worth journaling, or undefined when there are none. */
export function normalizeReasoning(parts: unknown): ReasoningPart[] | undefined {
  if (!Array.isArray(parts)) return undefined;
  const kept: ReasoningPart[] = [];
  for (const part of parts) {
    if (!isPlainRecord(part) || typeof part.text !== 'string') continue;
    const metadata = part.providerMetadata;
    const valid = isPlainRecord(metadata) && Object.values(metadata).every(isPlainRecord);
    // Round-trip through JSON: what is journaled is what replay gives back.
    kept.push(
      valid
        ? { text: part.text, providerMetadata: JSON.parse(JSON.stringify(metadata)) as ReasoningPart['providerMetadata'] }
        : { text: part.text },
    );
  }
  return kept.length > 0 ? kept : undefined;
}
