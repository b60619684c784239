/**
 * `checkRedisIntegrity`: read every run under a prefix and check what the scripts keep together:
 * the journal holds exactly `lastSeq` entries, each a well-formed frame of a known kind; the run
 * is in `index:all` and in the index of its status and no other; every index member has its run
 * (or is an ended run whose ttl ran out and waits to be swept). Reads only.
 */
import { ENTRY_KINDS, RUN_STATUSES, type RunStatus } from '@cairn/core';
import { entryOfFrame } from './redis-codec.ts';
import { connect } from './redis-connection.ts';
import { redisKeys } from './redis-keys.ts';
import type { CreateRedisStoreOptions } from './redis-store.ts';

/** What `checkRedisIntegrity` found (the shape of the Node stores' integrity reports). */
export interface RedisIntegrityReport {
  ok: boolean;
  runs: number;
  entries: number;
  problems: string[];
  notes: string[];
}

const MAX_PROBLEMS = 100;

/** Check the store under `options.prefix` (default `cairn:`) on the server `options` connect to. */
export async function checkRedisIntegrity(options: CreateRedisStoreOptions): Promise<RedisIntegrityReport> {
  const keys = redisKeys(options.prefix ?? 'cairn:');
  const { client, owned } = await connect(options);
  const problems: string[] = [];
  const problem = (text: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(text);
  };
  let runs = 0;
  let entries = 0;
  try {
    const pattern = `${keys.runPrefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    const seen = new Set<string>();
    let cursor = '0';
    do {
      const [next, found] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      for (const key of found) {
        const runId = key.slice(keys.runPrefix.length);
        if (seen.has(runId)) continue;
        seen.add(runId);
        runs++;
        const [lastSeqText, status, member] = await client.hmget(key, 'lastSeq', 'status', 'indexMember');
        const lastSeq = Number(lastSeqText);
        const frames = await client.lrange(keys.log(runId), 0, -1);
        entries += frames.length;
        if (frames.length !== lastSeq)
          problem(`run "${runId}": lastSeq is ${lastSeq} but the journal holds ${frames.length} entries`);
        frames.forEach((frame, index) => {
          const entry = entryOfFrame(frame, index + 1);
          if (!ENTRY_KINDS.includes(entry.kind) || !Number.isFinite(entry.createdAt))
            problem(`run "${runId}": entry ${index + 1} is not a well-formed journal frame`);
        });
        if (!member || !RUN_STATUSES.includes(status as RunStatus)) {
          problem(`run "${runId}": header without a known status or index member`);
          continue;
        }
        if ((await client.zscore(keys.all, member)) === null) problem(`run "${runId}": missing from index:all`);
        for (const other of RUN_STATUSES) {
          const listed = (await client.zscore(keys.index(other), member)) !== null;
          if (listed !== (other === status))
            problem(`run "${runId}" (${status}): ${listed ? 'listed' : 'not listed'} in index:${other}`);
        }
      }
    } while (cursor !== '0');
    const members = (await client.call('ZRANGE', keys.all, 0, -1)) as string[];
    const expiring = new Set((await client.call('ZRANGE', keys.expiring, 0, -1)) as string[]);
    for (const member of members) {
      const runId = member.slice(16);
      if (!seen.has(runId) && !expiring.has(member) && (await client.exists(keys.run(runId))) === 0)
        problem(`index:all lists run "${runId}", which does not exist`);
    }
    return { ok: problems.length === 0, runs, entries, problems, notes: [] };
  } finally {
    if (owned) client.disconnect();
  }
}
