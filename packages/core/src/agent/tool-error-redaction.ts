/**
 * What a failing tool's error becomes before anything keeps it (ADR 0067). A tool's error message
 * goes to the journal (its `step-fail` entry), to `step-retry` events and, as a tool message, to the
 * model provider — and platform errors put secrets in messages (Node's `fetch` quotes a URL with its
 * credentials). So the agent replaces the thrown error with a copy whose message went through a
 * redaction hook and whose `cause` and `stack` are dropped:
 * - the hook is the tool's `redactError`, else the agent's `redactToolError`, else
 *   `defaultRedactToolError`, which strips known secret shapes (`redactSecrets`);
 * - whatever the hook returns is cut to `MAX_TOOL_ERROR_CHARS`; a hook that throws or returns no
 *   string yields a fixed text naming only the error's class;
 * - the copy keeps the error's prototype and other own fields, so retry decisions (`NonRetriableError`,
 *   `RetryAfterError`, `retryable`, a runtime `retryOn`) see the same error they would have seen.
 */

/** What a redaction hook is told besides the error. */
export interface ToolErrorInfo {
  runId: string;
  tool: string;
  callId: string;
}

/** Turn a tool's error into the message the journal keeps and the model sees. Must not throw. */
export type RedactToolError = (error: unknown, info: ToolErrorInfo) => string;

/** Longest tool error message kept (longer ones end with `… (truncated)`). */
export const MAX_TOOL_ERROR_CHARS = 1000;

const TRUNCATED = ' … (truncated)';

const R = '[redacted]';

// Order matters: a whole `Authorization` value first (its scheme and token), then scheme + token
// pairs found elsewhere, then `key: value` / `key=value` fields, then bare key shapes.
const RULES: ReadonlyArray<readonly [RegExp, string]> = [
  // scheme://user:password@host → scheme://[redacted]@host (greedy: a password may hold `@`).
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi, `$1${R}@`],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, R],
  [/\b((?:proxy-)?authorization)(["']?\s*[:=]\s*["']?)[^\r\n"',;()<>]+/gi, `$1$2${R}`],
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{4,}/gi, `$1 ${R}`],
  [
    /\b(x-api-key|api[-_]?key|access[-_]?token|refresh[-_]?token|id[-_]?token|auth[-_]?token|client[-_]?secret|secret|password|passwd|pwd|token|cookie|set-cookie|session[-_]?id|private[-_]?key|(?:x-amz-)?(?:signature|credential|security-token)|sig)(["']?\s*[:=]\s*["']?)([^\s"',;&()<>[\]{}]+)/gi,
    `$1$2${R}`,
  ],
  [/\bsk-[A-Za-z0-9_-]{16,}/g, R], // OpenAI, Anthropic (sk-ant-…), many compatible servers
  [/\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}/g, R], // Stripe
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, R], // AWS access key ids
  [/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g, R], // GitHub
  [/\bglpat-[A-Za-z0-9_-]{20,}/g, R], // GitLab
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/g, R], // Slack
  [/\bAIza[0-9A-Za-z_-]{30,}/g, R], // Google API keys
  [/\bhf_[A-Za-z0-9]{20,}/g, R], // Hugging Face
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, R], // JWTs
];

/**
 * Replace secrets of known shapes in `text`: URL credentials, `Authorization` values, `Bearer` /
 * `Basic` tokens, `key=value` fields named like secrets (also in query strings), PEM private keys and
 * provider key shapes (`sk-…`, `AKIA…`, `ghp_…`, `xox…-`, `AIza…`, `hf_…`, JWTs). Then cut to `maxChars`.
 * Best effort by design: a hook knowing the tool's own secrets should strip them too.
 */
export function redactSecrets(text: string, maxChars = MAX_TOOL_ERROR_CHARS): string {
  // Look at a bounded window; drop the token it may have cut in two, so no half secret survives.
  const window = maxChars * 4;
  let end = Math.min(text.length, window);
  if (end < text.length) while (end > 0 && !/\s/.test(text[end - 1]!)) end--;
  let out = text.slice(0, end);
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement);
  return bound(out, maxChars, text.length > window);
}

function bound(text: string, maxChars: number, cut = false): string {
  return text.length > maxChars || cut ? `${text.slice(0, maxChars)}${TRUNCATED}` : text;
}

function messageOf(error: unknown): string {
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string')
    return (error as { message: string }).message;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

function nameOf(error: unknown): string {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  return typeof name === 'string' && /^[A-Za-z0-9_$.]{1,80}$/.test(name) ? name : 'Error';
}

/** The default hook: the error's message through `redactSecrets`, cut to `MAX_TOOL_ERROR_CHARS`. */
export const defaultRedactToolError: RedactToolError = (error) => redactSecrets(messageOf(error));

/** The message `hook` makes of `error`, bounded; a fixed text if the hook fails. */
function redactedMessage(error: unknown, info: ToolErrorInfo, hook: RedactToolError): string {
  try {
    const message = hook(error, info);
    if (typeof message === 'string') return bound(message, MAX_TOOL_ERROR_CHARS);
  } catch {
    // Fall through: the hook's own error may quote the secret it choked on.
  }
  return `${nameOf(error)} (the error could not be redacted)`;
}

/**
 * A copy of `error` with a redacted message and no `cause` or `stack`, for the engine to journal.
 * Everything else the engine and retry policies read (prototype, `code`, `retryable`,
 * `retryAfterMs`, the Cairn marker, other own fields) is kept.
 */
export function redactToolError(error: unknown, info: ToolErrorInfo, hook: RedactToolError): Error {
  const message = redactedMessage(error, info, hook);
  if (typeof error !== 'object' || error === null) return new Error(message);
  const copy = Object.create(Object.getPrototypeOf(error)) as Error;
  for (const key of Reflect.ownKeys(error)) {
    if (key === 'message' || key === 'stack' || key === 'cause' || key === 'name') continue;
    const descriptor = Object.getOwnPropertyDescriptor(error, key);
    if (descriptor) Object.defineProperty(copy, key, descriptor);
  }
  const name = nameOf(error);
  for (const [key, value] of [
    ['name', name],
    ['message', message],
    ['stack', `${name}: ${message}`],
  ] as const)
    Object.defineProperty(copy, key, { value, writable: true, configurable: true, enumerable: false });
  return copy;
}
