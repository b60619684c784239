/**
 * Group commit for the SQLite store (ADR 0180): the writes of one event-loop turn — typically the
 * appends of many concurrent runs — execute in one `BEGIN IMMEDIATE … COMMIT`, so they share one
 * WAL sync instead of paying one each.
 *
 * Invariants:
 * - no call resolves before the COMMIT that holds its writes returned, and with `synchronous=FULL`
 *   that COMMIT has synced the WAL: acknowledged still means durable, exactly as one transaction
 *   per call;
 * - other connections never see a write before it is durable: it is inside an open transaction
 *   until the synced COMMIT publishes it;
 * - each call of a group of several is its own SAVEPOINT: a refused call (lost CAS, bad value) is
 *   rolled back alone and rejected, and leaves the others of its group untouched; the calls run in
 *   arrival order, so a group behaves as the same calls made one after another; a group of one
 *   call needs no savepoint (its refusal rolls back the transaction, which holds nothing else);
 * - if BEGIN or COMMIT fails, every call of the group is rejected (none was acknowledged) and the
 *   transaction is rolled back; `afterCommit` runs only once a COMMIT succeeded.
 */
import type { SqliteStatements } from './sqlite-statements.ts';

/** The statements a group needs. */
export type CommitGroupStatements = Pick<
  SqliteStatements,
  'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollbackToSavepoint'
>;

/** One queued call: its body (run inside the group's transaction) and how to settle it. */
interface Unit {
  body: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  /** Maps a failure (its own, or the group's BEGIN/COMMIT) to the error the caller sees. */
  fail: (error: unknown) => Error;
}

/** Calls that commit together. */
export interface CommitGroup {
  /** Run `body` in the next group transaction; settles once that transaction committed (or failed). */
  run<T>(body: () => T, fail: (error: unknown) => Error): Promise<T>;
  /** Execute what is queued now (before closing the connection). */
  flush(): void;
}

/** Callbacks around a group's transaction. */
export interface CommitGroupHooks {
  /** `inTransaction()` is true while a transaction is open on the connection. */
  inTransaction(): boolean;
  /** After COMMIT succeeded, before any call resolves (e.g. publish cached headers). */
  afterCommit(): void;
  /** After the group's transaction was rolled back (e.g. drop staged headers). */
  afterRollback(): void;
}

/** A commit group on one connection, flushed once per event-loop turn (`setImmediate`). */
export function createCommitGroup(statements: CommitGroupStatements, hooks: CommitGroupHooks): CommitGroup {
  let queue: Unit[] = [];
  let scheduled = false;

  function rollbackAll(units: readonly Unit[], error: unknown): void {
    if (hooks.inTransaction()) {
      try {
        statements.rollback.run();
      } catch {
        // The connection is already failing; the first error is the one worth reporting.
      }
    }
    hooks.afterRollback();
    for (const unit of units) unit.reject(unit.fail(error));
  }

  // A group of one call (a run driven alone, one step after another): no savepoint is needed, a
  // refused call rolls the whole transaction back, which holds nothing else.
  function commitAlone(unit: Unit): void {
    let value: unknown;
    try {
      value = unit.body();
      statements.commit.run();
    } catch (error) {
      rollbackAll([unit], error);
      return;
    }
    hooks.afterCommit();
    unit.resolve(value);
  }

  function flush(): void {
    scheduled = false;
    if (queue.length === 0) return;
    const units = queue;
    queue = [];
    try {
      statements.begin.run();
    } catch (error) {
      rollbackAll(units, error);
      return;
    }
    if (units.length === 1) {
      commitAlone(units[0] as Unit);
      return;
    }
    const done: Array<{ unit: Unit; value: unknown }> = [];
    for (const [index, unit] of units.entries()) {
      let value: unknown;
      try {
        statements.savepoint.run();
        value = unit.body();
        statements.release.run();
      } catch (error) {
        try {
          statements.rollbackToSavepoint.run();
          statements.release.run();
        } catch (broken) {
          // The transaction itself is damaged: nothing of the group can commit.
          unit.reject(unit.fail(error));
          rollbackAll([...done.map((d) => d.unit), ...units.slice(index + 1)], broken);
          return;
        }
        unit.reject(unit.fail(error));
        continue;
      }
      done.push({ unit, value });
    }
    try {
      statements.commit.run();
    } catch (error) {
      rollbackAll(
        done.map((d) => d.unit),
        error,
      );
      return;
    }
    hooks.afterCommit();
    for (const { unit, value } of done) unit.resolve(value);
  }

  return {
    run<T>(body: () => T, fail: (error: unknown) => Error): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ body, resolve: resolve as (value: unknown) => void, reject, fail });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    flush,
  };
}
