/**
 * The side-effect ledger in Node: one JSON line per effect in a file beside the store. Writes are
 * synchronous appends, so an effect is on disk before the tool goes on — exactly the window in which
 * a SIGKILL leaves an effect done but not journaled, which `onUnknown` then reconciles.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { SideEffect, SideEffectLedger } from '../shared/side-effects.ts';

/** Read every effect of a ledger file (none if it does not exist yet). */
export function readLedgerFile(path: string): SideEffect[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as SideEffect);
}

/** A ledger over the JSON-lines file `path` (created on the first effect). */
export function createFileLedger(path: string): SideEffectLedger {
  return {
    async record(effect) {
      appendFileSync(path, `${JSON.stringify(effect)}\n`);
    },
    async find(idempotencyKey) {
      return readLedgerFile(path).find((effect) => effect.idempotencyKey === idempotencyKey);
    },
    async list() {
      return readLedgerFile(path);
    },
  };
}

/** Where the ledger of a store lives. */
export function ledgerPathOf(storePath: string): string {
  return `${storePath}.ledger.jsonl`;
}
