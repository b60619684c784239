/**
 * Connecting, and the persistence check that makes "acknowledged" mean "durable" (ADR 0161).
 *
 * Invariants:
 * - the store never reports a write as done unless the server fsyncs its AOF before replying
 *   (`appendonly yes`, `appendfsync always`), or the user chose `durability: 'relaxed'`;
 * - the check runs at open and again after every reconnect (a restarted server may have a new
 *   config): calls made meanwhile wait for it;
 * - a command in flight when the connection drops is failed, never re-sent: its CAS outcome is
 *   unknown and the next compare-and-set tells (`autoResendUnfulfilledCommands: false`).
 */
import { InvalidArgumentError, StorageUnavailableError } from '@cairn/core';
import { Redis, type RedisOptions } from 'ioredis';
import { ADAPTER, messages } from './redis-adapter.ts';

/** How a store connects: the seeds' fields, a URL, or a client you own. */
export type RedisConnection =
  | { host?: string; port?: number; db?: number; username?: string; password?: string; url?: undefined; client?: undefined }
  | { url: string; client?: undefined }
  | { client: Redis; url?: undefined };

/** What the store asks of the server before it accepts a write as durable. */
export type RedisDurability = 'fsync-always' | 'relaxed';

/** The ioredis options of a connection the store opens itself. */
function clientOptions(): RedisOptions {
  return {
    lazyConnect: true,
    autoResendUnfulfilledCommands: false,
    // A command issued while reconnecting waits a few attempts (about 2 s), then fails retryably.
    maxRetriesPerRequest: 8,
    retryStrategy: (attempt) => Math.min(50 * attempt, 500),
    connectTimeout: 5000,
  };
}

/** Open the connection a store uses; `owned` when the store must close it. */
export async function connect(connection: RedisConnection): Promise<{ client: Redis; owned: boolean }> {
  if (connection.client) return { client: connection.client, owned: false };
  let client: Redis;
  if (connection.url !== undefined) {
    if (typeof connection.url !== 'string' || !/^rediss?:\/\//.test(connection.url))
      throw new InvalidArgumentError(
        `[${ADAPTER}] url must start with redis:// or rediss://, got ${describeUrl(connection.url)}`,
      );
    client = new Redis(connection.url, clientOptions());
  } else {
    const { host, port, db, username, password } = connection as Extract<RedisConnection, { host?: string }>;
    if (db !== undefined && (!Number.isInteger(db) || db < 0))
      throw new InvalidArgumentError(`[${ADAPTER}] db must be a non-negative integer, got ${String(db)}`);
    client = new Redis({ ...clientOptions(), host: host ?? '127.0.0.1', port: port ?? 6379, db: db ?? 0, username, password });
  }
  // Connection errors are reported through the calls that fail; an unhandled 'error' would crash.
  // While connecting, the server's own reply (WRONGPASS, NOAUTH) says more than "Connection is closed".
  let reason: unknown;
  client.on('error', (error: unknown) => {
    reason ??= error;
  });
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw messages.toStoreError(reason ?? error, 'connect');
  }
  return { client, owned: true };
}

/** A URL fit to print: scheme, host, port and db, never a user name or password. */
export function describeUrl(url: unknown): string {
  if (typeof url !== 'string') return typeof url;
  try {
    const parsed = new URL(url);
    return JSON.stringify(`${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`);
  } catch {
    return '(an unparseable URL)';
  }
}

function configValue(reply: unknown, name: string): string | undefined {
  if (!Array.isArray(reply)) return undefined;
  for (let index = 0; index + 1 < reply.length; index += 2) if (reply[index] === name) return String(reply[index + 1]);
  return undefined;
}

/** How the server's persistence was found or declared. */
export interface PersistenceCheck {
  durability: RedisDurability;
  /** The operator's word for servers where CONFIG is disabled or renamed. */
  declared: boolean;
}

/**
 * Refuse (`StorageUnavailableError`, not retryable) unless the server fsyncs every write before it
 * replies, or `durability` is `relaxed`. Also refuses a Redis Cluster node (ADR 0160).
 */
export async function checkPersistence(client: Redis, check: PersistenceCheck, where: string): Promise<void> {
  const refuse = (what: string, cause?: unknown): never => {
    throw new StorageUnavailableError(`[${ADAPTER}] ${where}: ${what}`, { cause, retryable: false, adapter: ADAPTER });
  };
  const cluster = await client.info('cluster').catch(() => '');
  if (/^cluster_enabled:1/m.test(cluster))
    refuse('the server is a Redis Cluster node; Cairn keeps cross-run indexes on one server and does not support Cluster');
  if (check.durability === 'relaxed') return;
  let reply: unknown;
  try {
    reply = await client.config('GET', 'append*');
  } catch (error) {
    if (check.declared) return;
    const reason = error instanceof Error ? error.message.slice(0, 120) : String(error);
    refuse(
      `cannot check the server's persistence: CONFIG GET failed (${reason}). If the server runs with appendonly yes and appendfsync always (managed services often disable CONFIG), pass declaredPersistence: 'appendfsync-always'; to accept writes that may be lost, pass durability: 'relaxed'`,
      error,
    );
  }
  const appendonly = configValue(reply, 'appendonly');
  const appendfsync = configValue(reply, 'appendfsync');
  if (appendonly === 'yes' && appendfsync === 'always') return;
  const problems = [
    appendonly === 'yes' ? undefined : `appendonly is ${JSON.stringify(appendonly ?? 'unknown')}, not "yes"`,
    appendfsync === 'always' ? undefined : `appendfsync is ${JSON.stringify(appendfsync ?? 'unknown')}, not "always"`,
  ].filter(Boolean);
  refuse(
    `refusing to open: ${problems.join(' and ')}, so an acknowledged step could be lost in a crash. Set "appendonly yes" and "appendfsync always" in redis.conf (or CONFIG SET them, then CONFIG REWRITE), or pass durability: 'relaxed' to accept that risk`,
  );
}
