/**
 * The outside world the demo agent changes: a payments ledger and an outbox. It is deliberately
 * *not* the run's store — it stands for a payment provider and a mail server, which know nothing
 * about Cairn. It appends blindly (no de-duplication of its own), so a refund issued twice would
 * show up as two lines: the demo's proof counts them.
 */

/** One side effect as the outside world recorded it. */
export interface SideEffect {
  kind: 'refund' | 'email';
  runId: string;
  /** The idempotency key Cairn gave the tool call (stable across retries and resumes). */
  idempotencyKey: string;
  /** Wall-clock time of the effect. */
  at: number;
  /** What a person reading the ledger sees, e.g. `refund 18.00 USD, order A-1042`. */
  summary: string;
  /** The id the outside world gave the effect (refund id, message id). */
  reference: string;
}

/** Where side effects are recorded: a file in Node, localStorage in the browser. */
export interface SideEffectLedger {
  /** Record one effect. Appends unconditionally, like a naive external API would. */
  record(effect: SideEffect): Promise<void>;
  /** The effect recorded under an idempotency key, if any: what a reconcile function looks up. */
  find(idempotencyKey: string): Promise<SideEffect | undefined>;
  /** Every recorded effect, oldest first. */
  list(): Promise<SideEffect[]>;
}
