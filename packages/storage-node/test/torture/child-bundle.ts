/**
 * The torture child as one bundled ES module. Node could run `torture-child.ts` directly, but
 * importing `@cairn/core` from source costs ~0.5 s of CPU per process (type stripping of every
 * module, plus the `openai` package the scripted workload never calls); a thousand kills restart a
 * thousand processes. One esbuild bundle of the same sources (tree-shaken, compile-cached) starts in
 * about a fifth of that (ADR 0090).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode } from '@cairn/test-rigs/node-bundle';

/** Bundle `torture-child.ts` into `<dir>/torture-child.mjs`; returns its path. */
export function bundleTortureChild(dir: string): Promise<string> {
  return bundleForNode({
    entry: fileURLToPath(new URL('./torture-child.ts', import.meta.url)),
    outfile: join(dir, 'torture-child.mjs'),
    // pg's optional native binding is never loaded by the torture child.
    external: ['pg-native'],
  });
}
