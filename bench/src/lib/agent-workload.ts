/**
 * The agent workload both frameworks run: every turn the model asks for one tool call, and the
 * tool answers with ~1 KB of text; after the last turn the model answers. The content is a pure
 * function of the turn number, so the bytes are the same for Cairn and for LangGraph.
 */

/** Bytes of text a tool result carries. */
export const TOOL_RESULT_BYTES = 1000;

const WORDS = 'order shipped warehouse invoice customer refund tracking parcel address carrier delivered pending'.split(' ');

/** The ~1 KB tool result of turn `turn` (ASCII, so characters = bytes). */
export function toolResult(turn: number): string {
  let text = `Result ${turn}:`;
  for (let i = 0; text.length < TOOL_RESULT_BYTES; i++) text += ` ${WORDS[(turn * 7 + i) % WORDS.length]}`;
  return text.slice(0, TOOL_RESULT_BYTES);
}

/** What the model says before calling the tool on turn `turn`. */
export function assistantText(turn: number): string {
  return `Looking up record ${turn} next.`;
}

/** The query the model passes to the tool on turn `turn`. */
export function toolQuery(turn: number): string {
  return `record-${turn}`;
}

/** The final answer. */
export const FINAL_ANSWER = 'All records looked up.';

/**
 * The snapshot turns for reporting at each of `turns`: k/10 and k, so the figure "at turn k" is the
 * average over the window (k/10, k] (wide enough to average out SQLite's 4 KB page granularity).
 */
export function snapshotTurns(turns: readonly number[]): number[] {
  return [...new Set(turns.flatMap((k) => [windowStart(k), k]))].sort((a, b) => a - b);
}

/** First turn of the window that reports turn `k`. */
export function windowStart(k: number): number {
  return Math.max(1, Math.floor(k / 10));
}
