/**
 * The files torture children write besides the store, and how the parent reads them back.
 *
 * - execution log: one line per execution of a step function, written *before* its side effect,
 *   plus one line per durable step outcome (`end`, written once the engine's append resolved) and
 *   per outcome-unknown decision. Plain appends (O_APPEND, one `write` per line): a SIGKILL cannot
 *   lose a write that returned, and the checks only need crash (not power-loss) durability;
 * - ledger: the side effect of `once` steps with a reconcile policy, one line per effect keyed by
 *   the step's idempotency key, `fdatasync`ed like a real ledger would be;
 * - outbox: the side effect of `once` steps with `onUnknown: 'retry'` (at-least-once, same key).
 */
import { closeSync, existsSync, fdatasyncSync, openSync, readFileSync, writeSync } from 'node:fs';

/** Where a torture store's side files live. */
export interface SideEffectPaths {
  execLog: string;
  ledger: string;
  outbox: string;
}

/** What a child records (one per process; `proc` numbers processes in spawn order). */
export interface Recorder {
  /** A step function starts executing (before any side effect). */
  exec(runId: string, stepId: string, attempt: number, key: string | undefined): void;
  /** The engine reported a recorded outcome of a step (its journal append resolved). */
  end(runId: string, stepId: string, kind: 'step-end' | 'step-fail'): void;
  /** The engine found an intent without an outcome and applied `policy`. */
  unknown(runId: string, stepId: string, policy: string): void;
  /** Append a ledger line for `key` and make it durable. */
  ledgerAppend(key: string, text: string): void;
  /** The ledger line of `key`, if any. */
  ledgerFind(key: string): string | undefined;
  /** Append an outbox line for `key` (at-least-once delivery). */
  outboxAppend(key: string, text: string): void;
  close(): void;
}

/** A recorder for process number `proc`. */
export function createRecorder(paths: SideEffectPaths, proc: number): Recorder {
  const log = openSync(paths.execLog, 'a');
  const ledger = openSync(paths.ledger, 'a');
  const outbox = openSync(paths.outbox, 'a');
  const line = (fields: Array<string | number>): void => {
    writeSync(log, `${fields.join('\t')}\n`);
  };
  return {
    exec: (runId, stepId, attempt, key) => line(['exec', proc, runId, stepId, attempt, key ?? '-']),
    end: (runId, stepId, kind) => line(['end', proc, runId, stepId, kind]),
    unknown: (runId, stepId, policy) => line(['unknown', proc, runId, stepId, policy]),
    ledgerAppend(key, text) {
      writeSync(ledger, `${key}\t${text}\n`);
      fdatasyncSync(ledger);
    },
    ledgerFind: (key) => readLedger(paths.ledger).find((entry) => entry.key === key)?.text,
    outboxAppend(key, text) {
      writeSync(outbox, `${key}\t${text}\n`);
      fdatasyncSync(outbox);
    },
    close() {
      for (const fd of [log, ledger, outbox]) closeSync(fd);
    },
  };
}

/** One line of the execution log, parsed. */
export type LogLine =
  | { type: 'exec'; line: number; proc: number; runId: string; stepId: string; attempt: number; key: string }
  | { type: 'end'; line: number; proc: number; runId: string; stepId: string; kind: string }
  | { type: 'unknown'; line: number; proc: number; runId: string; stepId: string; policy: string };

function lines(path: string): string[] {
  if (!existsSync(path)) return [];
  // A child killed mid-write can leave a partial last line: only complete lines count.
  const text = readFileSync(path, 'utf8');
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter(Boolean);
}

/** The execution log, in write order. */
export function readExecLog(path: string): LogLine[] {
  return lines(path).map((text, line) => {
    const [type, proc, runId = '', stepId = '', a = '', b = ''] = text.split('\t');
    const base = { line, proc: Number(proc), runId, stepId };
    if (type === 'exec') return { type, ...base, attempt: Number(a), key: b };
    if (type === 'end') return { type, ...base, kind: a };
    return { type: 'unknown', ...base, policy: a };
  });
}

/** Ledger or outbox lines: `{ key, text }` in write order. */
export function readLedger(path: string): Array<{ key: string; text: string }> {
  return lines(path).map((text) => {
    const tab = text.indexOf('\t');
    return { key: text.slice(0, tab), text: text.slice(tab + 1) };
  });
}
