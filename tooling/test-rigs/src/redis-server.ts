/**
 * A private redis-server for tests and benchmarks: 127.0.0.1 on a free port, its own directory
 * under a temp folder, started in the foreground from a generated config (never `--daemonize`).
 * The default persistence is what `@cairn/storage-redis` requires: `appendonly yes` with
 * `appendfsync always`, and no RDB snapshots.
 *
 * Invariants:
 * - the server process is our child: `stop` (SHUTDOWN through SIGTERM, which fsyncs the AOF) and
 *   `kill` (SIGKILL, the crash) act on that pid only;
 * - `restart` starts a new process on the same port and directory, so a client reconnects to the
 *   same data; the call resolves once the server answers PING (AOF loaded);
 * - the directory is removed by `stop({ remove: true })` / `remove()`;
 * - a process that exits without removing its server (an uncaught error in a script) takes it down
 *   with it: SIGKILL to the server and the directory deleted.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { onProcessExit } from './exit-cleanup.ts';
import { freePort } from './free-port.ts';
import { makeTempDir } from './temp-dir.ts';

export { freePort };

/** Where Debian puts the binary; `CAIRN_REDIS_SERVER` overrides it. */
export const REDIS_SERVER_BINARY = process.env.CAIRN_REDIS_SERVER ?? '/usr/bin/redis-server';

/** True when a redis-server binary is installed. */
export function hasRedisServer(): boolean {
  return existsSync(REDIS_SERVER_BINARY) && spawnSync(REDIS_SERVER_BINARY, ['--version']).status === 0;
}

/** Options of `startRedisServer`. */
export interface RedisServerOptions {
  /** Config directives added to (or overriding) the defaults, e.g. `{ appendfsync: 'everysec' }`. */
  config?: Record<string, string>;
  /** Label of the temp directory. */
  label?: string;
  /** How long to wait for the server to answer (default 15 s). */
  startTimeoutMs?: number;
}

/** A running private server. */
export interface RedisServer {
  readonly host: string;
  readonly port: number;
  /** `redis://127.0.0.1:PORT`. */
  readonly url: string;
  readonly dir: string;
  /** The current process id (changes on restart). */
  pid(): number | undefined;
  /** SIGKILL the server and wait for it to exit: a crash, nothing flushed beyond what was fsync'd. */
  kill(): Promise<void>;
  /** Start the server again on the same port and data (after `kill` or `stop`). */
  restart(): Promise<void>;
  /** SIGTERM (graceful SHUTDOWN) and wait; with `remove`, delete its directory too. */
  stop(options?: { remove?: boolean }): Promise<void>;
}

const DEFAULT_CONFIG: Record<string, string> = {
  bind: '127.0.0.1',
  'protected-mode': 'yes',
  daemonize: 'no',
  appendonly: 'yes',
  appendfsync: 'always',
  save: '""',
  'aof-use-rdb-preamble': 'yes',
  loglevel: 'warning',
  databases: '16',
};

// One PING over a raw socket: true when the server answers +PONG, or NOAUTH when it has a password
// (it is up and has loaded its data; -LOADING is not an answer).
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => {
      reply += data.toString('utf8');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG') || reply.startsWith('-NOAUTH'));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Start a private redis-server. Throws (with the server's own output) when it does not come up.
 *
 * @example
 * const server = await startRedisServer();
 * const store = await createRedisStore({ url: server.url });
 * await server.kill(); await server.restart();
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const temp = makeTempDir(`redis-${options.label ?? 'server'}`);
  const port = await freePort();
  const config = { ...DEFAULT_CONFIG, ...options.config, port: String(port), dir: temp.path };
  const configPath = join(temp.path, 'redis.conf');
  writeFileSync(
    configPath,
    `${Object.entries(config)
      .map(([key, value]) => `${key} ${value}`)
      .join('\n')}\n`,
  );
  let child: ChildProcess | undefined;
  let output = '';

  async function start(): Promise<void> {
    output = '';
    const started = spawn(REDIS_SERVER_BINARY, [configPath], { stdio: ['ignore', 'pipe', 'pipe'], cwd: temp.path });
    child = started;
    const keep = (data: Buffer) => {
      output = (output + data.toString('utf8')).slice(-4000);
    };
    started.stdout?.on('data', keep);
    started.stderr?.on('data', keep);
    const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
    while (Date.now() < deadline) {
      if (started.exitCode !== null) break;
      if (await ping(port)) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    started.kill('SIGKILL');
    await exited(started);
    throw new Error(`redis-server on port ${port} did not start: ${output.slice(-2000)}`);
  }

  async function signal(name: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    current.kill(name);
    await exited(current);
  }

  const forgetAtExit = onProcessExit(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    temp.remove();
  });
  await start();
  return {
    host: '127.0.0.1',
    port,
    url: `redis://127.0.0.1:${port}`,
    dir: temp.path,
    pid: () => child?.pid,
    kill: () => signal('SIGKILL'),
    restart: async () => {
      await signal('SIGKILL');
      await start();
    },
    stop: async (stopOptions = {}) => {
      await signal('SIGTERM');
      if (stopOptions.remove) {
        forgetAtExit();
        temp.remove();
      }
    },
  };
}
