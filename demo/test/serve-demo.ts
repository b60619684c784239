/**
 * Serve the browser demo with Vite's dev server on 127.0.0.1 (a port the OS picks), for the
 * Chromium tests. Dependencies are pre-bundled before the first page loads and discovery is off,
 * so Vite never reloads a page behind a test's back — the test does its reloads itself.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

/** The served demo. */
export interface ServedDemo {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  close(): Promise<void>;
}

/** Start the demo's dev server (its own vite.config.ts, a private dependency cache). */
export async function serveDemo(): Promise<ServedDemo> {
  const cacheDir = await mkdtemp(join(tmpdir(), 'cairn-demo-vite-'));
  const server = await createServer({
    configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
    cacheDir,
    logLevel: 'error',
    clearScreen: false,
    optimizeDeps: { noDiscovery: true },
    server: { host: '127.0.0.1', port: 0, strictPort: true, hmr: false, watch: null },
  });
  try {
    await server.listen();
  } catch (error) {
    await server.close();
    await rm(cacheDir, { recursive: true, force: true });
    throw error;
  }
  const address = server.httpServer?.address() as AddressInfo | null | undefined;
  if (!address) {
    await server.close();
    throw new Error('serveDemo: the server did not start listening');
  }
  const { port } = address;
  return {
    url: `http://127.0.0.1:${port}/`,
    async close() {
      await server.close();
      await rm(cacheDir, { recursive: true, force: true });
    },
  };
}
