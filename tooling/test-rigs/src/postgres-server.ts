/**
 * A private PostgreSQL server for tests and benchmarks: `initdb` into a temp folder, the postmaster
 * on 127.0.0.1 and a free port (its unix socket inside the temp folder), `fsync` on so durability
 * tests are real. Run as the `postgres` user when this process is root (the server refuses root).
 *
 * Invariants:
 * - nothing listens beyond 127.0.0.1, and nothing is left behind: `remove()` stops the server
 *   (SIGKILL if a fast shutdown hangs) and deletes the folder;
 * - `kill()` SIGKILLs the postmaster itself (a crash, not a shutdown); `start()` after it runs
 *   crash recovery on the same data folder, as a restarted production server would;
 * - a process that exits without `remove()` (an uncaught error in a script) takes its server down
 *   with it: SIGQUIT to the postmaster (immediate shutdown) and the folder deleted.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onProcessExit } from './exit-cleanup.ts';
import { freePort } from './free-port.ts';
import { isAlive as alive } from './kill-child.ts';

export { freePort };

/** A running (or stopped) private server. */
export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication, no password). */
  readonly url: string;
  readonly port: number;
  /** The temp folder holding `data/` and the socket folder. */
  readonly dir: string;
  /** Postmaster pid while it runs. */
  pid(): number | undefined;
  /** Start it again after `stop()` or `kill()` (crash recovery runs after a kill). */
  start(): Promise<void>;
  /** Fast shutdown (SIGINT), waiting for the postmaster to exit. */
  stop(): Promise<void>;
  /** SIGKILL the postmaster (the server crashes), waiting for it and its backends to go. */
  kill(): Promise<void>;
  /** `kill()` then `start()`. */
  restart(): Promise<void>;
  /** Stop it and delete its folder. Idempotent. */
  remove(): Promise<void>;
}

/** Options of `startPostgresServer`. */
export interface PostgresServerOptions {
  /** Extra `-c name=value` settings. */
  settings?: Record<string, string>;
}

/** The folder holding `initdb`, `postgres`: `pg_config --bindir`, else the newest /usr/lib/postgresql/N/bin. */
export function postgresBinDir(): string {
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (existsSync(join(dir, 'initdb'))) return dir;
  } catch {
    // No pg_config on PATH: look where Debian puts the server.
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => existsSync(join(root, name, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0] === undefined) {
    throw new Error(
      'PostgreSQL server binaries not found (no pg_config --bindir, no /usr/lib/postgresql/*/bin): run bash scripts/ensure-databases.sh or install the postgresql package',
    );
  }
  return join(root, versions[0], 'bin');
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

// The command line to run a server binary: through runuser as `postgres` when we are root.
function command(bin: string, args: string[]): [string, string[]] {
  return isRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

function postgresIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

async function waitUntil(check: () => boolean, ms: number, what: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`postgres-server: timed out after ${ms} ms waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Create and start a private server.
 *
 * @example
 * const server = await startPostgresServer();
 * const store = createPostgresStore({ connectionString: server.url });
 * await server.remove();
 */
export async function startPostgresServer(options: PostgresServerOptions = {}): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'cairn-postgres-'));
  const data = join(dir, 'data');
  const sockets = join(dir, 'sockets');
  if (isRoot) {
    const { uid, gid } = postgresIds();
    chownSync(dir, uid, gid);
  }
  const [initdb, initArgs] = command(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  execFileSync(initdb, initArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
  execFileSync(...command('mkdir', ['-p', sockets]));
  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: sockets,
    fsync: 'on',
    synchronous_commit: 'on',
    full_page_writes: 'on',
    max_connections: '200',
    shared_buffers: '64MB',
    ...options.settings,
  };
  const args = ['-D', data, '-p', String(port), ...Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`])];
  let child: ChildProcess | undefined;
  let log = '';
  let removed = false;

  const postmasterPid = (): number | undefined => {
    try {
      const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  };

  async function start(): Promise<void> {
    // After a kill, backends may hold the old shared memory for a moment: the new postmaster
    // refuses to start until they are gone, so try again for a while.
    const deadline = Date.now() + 30_000;
    for (;;) {
      log = '';
      const [file, list] = command(join(bin, 'postgres'), args);
      const started = spawn(file, list, { stdio: ['ignore', 'ignore', 'pipe'] });
      child = started;
      let exited = false;
      started.on('exit', () => {
        exited = true;
      });
      started.stderr?.on('data', (chunk: Buffer) => {
        log = (log + chunk.toString()).slice(-20_000);
      });
      await waitUntil(
        () => exited || /ready to accept connections/.test(log),
        60_000,
        () => `the server to start: ${log.slice(-2000)}`,
      );
      if (!exited) return;
      if (Date.now() > deadline) throw new Error(`postgres-server: the server did not start: ${log.slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async function waitGone(): Promise<void> {
    const current = child;
    await waitUntil(
      () => current === undefined || current.exitCode !== null || current.signalCode !== null,
      30_000,
      () => 'the server process to exit',
    );
    // Backends notice the dead postmaster on their own; the next start needs them gone.
    await waitUntil(
      () => postmasterPid() === undefined,
      30_000,
      () => 'the postmaster to exit',
    );
  }

  const server: PostgresServer = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    pid: postmasterPid,
    start,
    async stop() {
      const pid = postmasterPid();
      if (pid !== undefined) process.kill(pid, 'SIGINT');
      await waitGone();
    },
    async kill() {
      const pid = postmasterPid();
      if (pid !== undefined) process.kill(pid, 'SIGKILL');
      await waitGone();
    },
    async restart() {
      await server.kill();
      await start();
    },
    async remove() {
      if (removed) return;
      removed = true;
      forgetAtExit();
      try {
        await server.stop();
      } catch {
        const pid = postmasterPid();
        if (pid !== undefined) process.kill(pid, 'SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  // At exit nothing can await: an immediate shutdown (the postmaster stops its backends first),
  // waited for synchronously so no process still writes into the folder as it is deleted.
  const forgetAtExit = onProcessExit(() => {
    const pid = postmasterPid();
    if (pid !== undefined) {
      process.kill(pid, 'SIGQUIT');
      const pause = new Int32Array(new SharedArrayBuffer(4));
      for (const deadline = Date.now() + 10_000; alive(pid) && Date.now() < deadline; ) Atomics.wait(pause, 0, 0, 20);
    }
    rmSync(dir, { recursive: true, force: true });
  });
  await start();
  return server;
}
