/**
 * The side-effect ledger in the browser: localStorage, which stands for the payment provider and
 * the mail server. It is outside the run's store on purpose, and localStorage writes are
 * synchronous, so an effect is recorded before a reload can interrupt the tool that made it.
 */
import type { SideEffect, SideEffectLedger } from '../shared/side-effects.ts';

/** The localStorage key of the ledger. */
export const LEDGER_KEY = 'cairn-demo:outside-world';

/** Every recorded effect. */
export function readLedger(): SideEffect[] {
  try {
    const parsed = JSON.parse(localStorage.getItem(LEDGER_KEY) ?? '[]') as unknown;
    return Array.isArray(parsed) ? (parsed as SideEffect[]) : [];
  } catch {
    return [];
  }
}

/** A ledger over localStorage. */
export function createBrowserLedger(): SideEffectLedger {
  return {
    async record(effect) {
      localStorage.setItem(LEDGER_KEY, JSON.stringify([...readLedger(), effect]));
    },
    async find(idempotencyKey) {
      return readLedger().find((effect) => effect.idempotencyKey === idempotencyKey);
    },
    async list() {
      return readLedger();
    },
  };
}

/** Forget every effect (the page's "reset demo" button). */
export function clearLedger(): void {
  localStorage.removeItem(LEDGER_KEY);
}
