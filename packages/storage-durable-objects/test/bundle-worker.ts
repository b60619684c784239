/**
 * Bundling a test Worker for Miniflare (Node-side tests): esbuild, ESM, `cloudflare:*` left to workerd.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Bundle `entry` into `outfile`. */
export async function bundleWorker(entry: URL, outfile: string): Promise<void> {
  await build({
    entryPoints: [fileURLToPath(entry)],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2023',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['cloudflare:*'],
    logLevel: 'silent',
  });
}
