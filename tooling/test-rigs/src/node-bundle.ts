/**
 * A TypeScript entry and the workspace sources it imports, bundled by esbuild into one plain
 * JavaScript ES module for Node: for child processes that must start fast (a thousand torture
 * restarts) or be measured the way users run the published packages (no type stripping).
 */
import { build } from 'esbuild';

/** What to bundle, where to, and which packages to leave to `node_modules` at run time. */
export interface NodeBundleOptions {
  entry: string;
  outfile: string;
  external?: string[];
}

/** Bundle `entry` into `outfile` (ESM, Node 22+); resolves with `outfile`. */
export async function bundleForNode({ entry, outfile, external = [] }: NodeBundleOptions): Promise<string> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    logLevel: 'warning',
    external,
    // Bundled CommonJS code may `require` Node built-ins; give it a real `require`.
    banner: {
      js: "import { createRequire as __cairnRequire } from 'node:module'; const require = __cairnRequire(import.meta.url);",
    },
  });
  return outfile;
}
