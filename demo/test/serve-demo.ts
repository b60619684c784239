/**
 * Serve the browser demo with Vite's dev server on 127.0.0.1 (a port the OS picks), for the
 * Chromium tests. Dependencies are pre-bundled before the first page loads and discovery is off,
 * so Vite never reloads a page behind a test's back — the test does its reloads itself.
 */
import { fileURLToPath } from 'node:url';
import { serveWithVite, type ViteTestServer } from '@cairn/test-rigs/vite-server';

/** The served demo. */
export type ServedDemo = ViteTestServer;

/** Start the demo's dev server (its own vite.config.ts, a private dependency cache). */
export function serveDemo(): Promise<ServedDemo> {
  return serveWithVite(
    {
      configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
      logLevel: 'error',
      clearScreen: false,
      optimizeDeps: { noDiscovery: true },
      server: { hmr: false, watch: null },
    },
    'serveDemo',
  );
}
