/**
 * The key layout under a prefix (ADR 0160). Run ids hold only `A-Z a-z 0-9 _ -`, so no id can
 * reach into another key's name whatever the prefix holds:
 * - `<prefix>run:<runId>`: hash, the run header, one field per record field;
 * - `<prefix>log:<runId>`: list, the journal; element `seq - 1` is entry `seq`;
 * - `<prefix>index:all` and `<prefix>index:<status>`: sorted sets, every member at score 0, ordered
 *   by their bytes: a fixed-width sortable `createdAt` then the run id, so a reverse lex walk is the
 *   listing order of ADR 0020 and a cursor is an exclusive lex bound;
 * - `<prefix>expiring`: sorted set of index members of ended runs under a `ttl`, scored by the
 *   server time they expire at, so the index members of expired runs are swept.
 */
import type { RunStatus } from '@cairn/core';
import { RUN_STATUSES } from '@cairn/core';

/** The keys of one store. */
export interface RedisKeys {
  readonly runPrefix: string;
  readonly logPrefix: string;
  readonly all: string;
  readonly expiring: string;
  run(runId: string): string;
  log(runId: string): string;
  index(status: RunStatus): string;
  /** The keys every per-run script declares, in this order: run, log, expiring, all, the five statuses. */
  runScriptKeys(runId: string): string[];
  /** The index keys every multi-run script declares: expiring, all, the five statuses. */
  indexKeys(): string[];
}

/** The key layout under `prefix`. */
export function redisKeys(prefix: string): RedisKeys {
  const index = (status: RunStatus) => `${prefix}index:${status}`;
  const keys: RedisKeys = {
    runPrefix: `${prefix}run:`,
    logPrefix: `${prefix}log:`,
    all: `${prefix}index:all`,
    expiring: `${prefix}expiring`,
    run: (runId) => `${keys.runPrefix}${runId}`,
    log: (runId) => `${keys.logPrefix}${runId}`,
    index,
    runScriptKeys: (runId) => [keys.run(runId), keys.log(runId), ...keys.indexKeys()],
    indexKeys: () => [keys.expiring, keys.all, ...RUN_STATUSES.map(index)],
  };
  return keys;
}

/** Width of the sortable time at the start of an index member. */
export const TIME_WIDTH = 16;

/**
 * 16 hex digits whose byte order is the numeric order of `time` (an IEEE 754 double with the sign
 * bit flipped for positives and every bit flipped for negatives; -0 is 0).
 */
export function sortableTime(time: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, time === 0 ? 0 : time);
  let bits = view.getBigUint64(0);
  bits = bits & 0x8000000000000000n ? ~bits & 0xffffffffffffffffn : bits | 0x8000000000000000n;
  return bits.toString(16).padStart(TIME_WIDTH, '0');
}

/** The index member of a run: listing order is the reverse of the members' byte order. */
export function indexMember(createdAt: number, runId: string): string {
  return `${sortableTime(createdAt)}${runId}`;
}
