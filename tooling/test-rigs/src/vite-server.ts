/**
 * A Vite dev server for a test, on 127.0.0.1 with a port the OS picks and a private dependency
 * cache under the system temp folder; closing it removes the cache. The page servers of the
 * Chromium rig and the demo's tests both start here.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, createServer, type InlineConfig } from 'vite';

/** A listening dev server. */
export interface ViteTestServer {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * Start Vite with `config` (its `server.host`/`port` are set here: 127.0.0.1 and a free port).
 *
 * @example
 * const site = await serveWithVite({ configFile: false, root: dir, logLevel: 'error' }, 'my page');
 * await page.goto(site.url);
 * await site.close();
 */
export async function serveWithVite(config: InlineConfig, what: string): Promise<ViteTestServer> {
  const cacheDir = await mkdtemp(join(tmpdir(), 'cairn-vite-'));
  const server = await createServer({
    ...config,
    cacheDir,
    server: { ...config.server, host: '127.0.0.1', port: 0, strictPort: true },
  });
  const close = async () => {
    await server.close();
    await rm(cacheDir, { recursive: true, force: true });
  };
  try {
    await server.listen();
  } catch (error) {
    await close();
    throw error;
  }
  const address = server.httpServer?.address() as AddressInfo | null | undefined;
  if (!address) {
    await close();
    throw new Error(`${what}: the server did not start listening`);
  }
  const origin = `http://127.0.0.1:${address.port}`;
  return { url: `${origin}/`, origin, close };
}

/**
 * Build the Vite project of `configFile` (its own `build.outDir`), quietly: for tests that serve a
 * package's built page (the inspector's ui-dist/) the way its users get it.
 */
export async function buildWithVite(configFile: string): Promise<void> {
  await build({ configFile, logLevel: 'warn' });
}
