/**
 * The Lua scripts: every mutation is one script, so its compare-and-set, its writes and its index
 * moves happen atomically (Redis runs a script with nothing interleaved), and one AOF record holds
 * all of its effects. Scripts are sent with EVALSHA and, after a server restart emptied the script
 * cache (NOSCRIPT: nothing ran), once with EVAL.
 *
 * Per-run scripts declare KEYS run, log, expiring, index:all, then the five status indexes in
 * RUN_STATUSES order. Multi-run scripts (list, delete, sweep) build run keys from a prefix in ARGV:
 * they touch keys they did not declare, which a single server allows and Redis Cluster does not
 * (ADR 0160). No script compares strings by order: Lua's `<` on strings follows the server locale.
 */
import { createHash } from 'node:crypto';

const COMMON = `
local STATUS_KEY = { running = 5, paused = 6, failed = 7, completed = 8, cancelled = 9 }
local ENDED = { failed = true, completed = true, cancelled = true }
-- Apply field writes starting at ARGV[at]: a count then name/value pairs, a count then names.
local function apply(at)
  local count = tonumber(ARGV[at])
  if count > 0 then redis.call('HSET', KEYS[1], unpack(ARGV, at + 1, at + count * 2)) end
  at = at + count * 2 + 1
  local unset = tonumber(ARGV[at])
  if unset > 0 then redis.call('HDEL', KEYS[1], unpack(ARGV, at + 1, at + unset)) end
end
-- After a write: move the index member when the status changed, and keep the ttl of ended runs.
local function settle(before, member, ttl)
  local status = redis.call('HGET', KEYS[1], 'status')
  if status ~= before then
    if before then redis.call('ZREM', KEYS[STATUS_KEY[before]], member) end
    redis.call('ZADD', KEYS[STATUS_KEY[status]], 0, member)
  end
  if ttl <= 0 then return end
  if ENDED[status] then
    local now = redis.call('TIME')
    redis.call('PEXPIRE', KEYS[1], ttl)
    redis.call('PEXPIRE', KEYS[2], ttl)
    redis.call('ZADD', KEYS[3], tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) + ttl, member)
  elseif before and ENDED[before] then
    redis.call('PERSIST', KEYS[1])
    redis.call('PERSIST', KEYS[2])
    redis.call('ZREM', KEYS[3], member)
  end
end
`;

/** createRun. ARGV: ttl, member, writes. Returns 0 when the id is taken, else 1. */
const CREATE = `${COMMON}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
-- A journal left by a run whose header expired first must not become this run's journal.
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[1], 'indexMember', ARGV[2])
apply(3)
redis.call('ZADD', KEYS[4], 0, ARGV[2])
settle(false, ARGV[2], tonumber(ARGV[1]))
return 1
`;

/** updateRun. ARGV: ttl, expectedVersion, writes. Returns {'missing'} | {'conflict', v} | {'ok', hash}. */
const UPDATE = `${COMMON}
local current = redis.call('HMGET', KEYS[1], 'version', 'status', 'indexMember')
if not current[1] then return { 'missing' } end
if tonumber(current[1]) ~= tonumber(ARGV[2]) then return { 'conflict', current[1] } end
apply(3)
redis.call('HSET', KEYS[1], 'version', tostring(tonumber(current[1]) + 1))
settle(current[2], current[3], tonumber(ARGV[1]))
return { 'ok', redis.call('HGETALL', KEYS[1]) }
`;

/**
 * append. ARGV: ttl, expectedLastSeq, entry count, entries…, writes. Returns {'missing'} |
 * {'conflict', lastSeq} | {'torn', journal length} | {'ok', hash}. The journal length must equal
 * lastSeq: a journal that lost elements is reported, never appended to.
 */
const APPEND = `${COMMON}
local current = redis.call('HMGET', KEYS[1], 'lastSeq', 'status', 'indexMember')
if not current[1] then return { 'missing' } end
local expected = tonumber(ARGV[2])
if tonumber(current[1]) ~= expected then return { 'conflict', current[1] } end
local length = redis.call('LLEN', KEYS[2])
if length ~= expected then return { 'torn', tostring(length) } end
local count = tonumber(ARGV[3])
for first = 4, count + 3, 1000 do
  redis.call('RPUSH', KEYS[2], unpack(ARGV, first, math.min(first + 999, count + 3)))
end
apply(count + 4)
redis.call('HSET', KEYS[1], 'lastSeq', tostring(expected + count))
settle(current[2], current[3], tonumber(ARGV[1]))
return { 'ok', redis.call('HGETALL', KEYS[1]) }
`;

/**
 * One step of a listing walk over KEYS[1] (an index), below the exclusive bound ARGV[1].
 * ARGV: bound, scan budget, wanted, run key prefix, status set (',a,b,' or ''), workflow flag,
 * workflow, updatedBefore ('' for none), ids only ('1' or '0').
 * Returns {matches, next bound or false when the index is exhausted}; matches are HGETALL replies
 * (or run ids), in listing order.
 */
const WALK = `
local bound, budget, wanted = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local before = ARGV[8] ~= '' and tonumber(ARGV[8]) or nil
local found, scanned = {}, 0
while scanned < budget do
  local members = redis.call('ZREVRANGEBYLEX', KEYS[1], bound, '-', 'LIMIT', 0, math.min(200, budget - scanned))
  if #members == 0 then return { found, false } end
  for _, member in ipairs(members) do
    bound = '(' .. member
    scanned = scanned + 1
    local key = ARGV[4] .. string.sub(member, 17)
    local run = redis.call('HMGET', key, 'status', 'workflow', 'updatedAt')
    if run[1]
      and (ARGV[5] == '' or string.find(ARGV[5], ',' .. run[1] .. ',', 1, true))
      and (ARGV[6] ~= '1' or run[2] == ARGV[7])
      and (not before or tonumber(run[3]) < before) then
      found[#found + 1] = ARGV[9] == '1' and string.sub(member, 17) or redis.call('HGETALL', key)
      if #found >= wanted then return { found, bound } end
    end
  end
end
return { found, bound }
`;

/**
 * deleteRuns over the ids in ARGV[5…], each checked again inside the script. KEYS: expiring,
 * index:all, five status indexes. ARGV: run key prefix, log key prefix, status set, updatedBefore.
 */
const DELETE = `
local STATUS_KEY = { running = 3, paused = 4, failed = 5, completed = 6, cancelled = 7 }
local before = ARGV[4] ~= '' and tonumber(ARGV[4]) or nil
local deleted = 0
for index = 5, #ARGV do
  local key = ARGV[1] .. ARGV[index]
  local run = redis.call('HMGET', key, 'status', 'updatedAt', 'indexMember')
  if run[1]
    and (ARGV[3] == '' or string.find(ARGV[3], ',' .. run[1] .. ',', 1, true))
    and (not before or tonumber(run[2]) < before) then
    redis.call('DEL', key, ARGV[2] .. ARGV[index])
    redis.call('ZREM', KEYS[2], run[3])
    redis.call('ZREM', KEYS[STATUS_KEY[run[1]]], run[3])
    redis.call('ZREM', KEYS[1], run[3])
    deleted = deleted + 1
  end
end
return deleted
`;

/**
 * Remove the index members of runs whose ttl ran out (Redis expired their keys on its own).
 * KEYS as DELETE; ARGV: run key prefix, log key prefix. Returns how many were swept.
 */
const SWEEP = `
local now = redis.call('TIME')
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000), 'LIMIT', 0, 500)
local swept = 0
for _, member in ipairs(due) do
  local runId = string.sub(member, 17)
  if redis.call('EXISTS', ARGV[1] .. runId) == 0 then
    redis.call('DEL', ARGV[2] .. runId)
    for index = 1, 7 do redis.call('ZREM', KEYS[index], member) end
    swept = swept + 1
  end
end
return swept
`;

/** Counts per status, in RUN_STATUSES order (KEYS: the five status indexes), in one atomic read. */
const COUNT = `
local counts = {}
for index = 1, #KEYS do counts[index] = redis.call('ZCARD', KEYS[index]) end
return counts
`;

/** A script and its SHA-1 (what EVALSHA names). */
export interface Script {
  readonly name: string;
  readonly source: string;
  readonly sha: string;
}

function script(name: string, source: string): Script {
  return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}

/** Every script of the store. */
export const SCRIPTS = {
  create: script('create', CREATE),
  update: script('update', UPDATE),
  append: script('append', APPEND),
  walk: script('walk', WALK),
  delete: script('delete', DELETE),
  sweep: script('sweep', SWEEP),
  count: script('count', COUNT),
} as const;

/** What runs a script on the server (the store's connection). */
export interface ScriptClient {
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(source: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

/** Run `script` with `keys` and `args`: EVALSHA, then EVAL once if the server lost its script cache. */
export async function runScript(
  client: ScriptClient,
  target: Script,
  keys: string[],
  args: (string | number)[],
): Promise<unknown> {
  try {
    return await client.evalsha(target.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
    return client.eval(target.source, keys.length, ...keys, ...args);
  }
}
