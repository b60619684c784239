/**
 * An external witness for run host tests: a separate Durable Object with its own durable log. Steps,
 * scripted-model calls, tool calls and host events are recorded here, so counts survive the reset of
 * the object that runs them, and a test can wait for a run to finish without sending that object
 * a single request.
 */
import { DurableObject, env } from 'cloudflare:workers';

/** A durable, ordered log of keys, with flags a test sets to steer a run (e.g. hold a call). */
export class LedgerObject extends DurableObject {
  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS log (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL)');
      ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS flags (name TEXT PRIMARY KEY)');
    });
  }

  /** Append `key`; returns how many times it is now in the log (1 for the first time). */
  record(key: string): number {
    this.ctx.storage.sql.exec('INSERT INTO log (key) VALUES (?)', key);
    return this.count(key);
  }

  count(key: string): number {
    return this.ctx.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM log WHERE key = ?', key).one().n;
  }

  entries(): string[] {
    return this.ctx.storage.sql
      .exec<{ key: string }>('SELECT key FROM log ORDER BY id')
      .toArray()
      .map((row) => row.key);
  }

  setFlag(name: string): void {
    this.ctx.storage.sql.exec('INSERT OR IGNORE INTO flags (name) VALUES (?)', name);
  }

  clearFlag(name: string): void {
    this.ctx.storage.sql.exec('DELETE FROM flags WHERE name = ?', name);
  }

  hasFlag(name: string): boolean {
    return this.ctx.storage.sql.exec('SELECT 1 AS found FROM flags WHERE name = ?', name).toArray().length > 0;
  }
}

/** The ledger named `name`. */
export function ledger(name: string): DurableObjectStub<LedgerObject> {
  return env.LEDGER.getByName(name);
}
