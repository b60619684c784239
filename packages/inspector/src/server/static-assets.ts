/**
 * The built page (ui-dist/, shipped in the package). Only files Vite wrote are served: `/` is
 * index.html, `/assets/<name>` a file of assets/ whose name is plain (no path, no dot-dot).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.html': 'text/html; charset=utf-8',
};

/** Where the built page is: ui-dist/ beside src/ and dist/. */
export const UI_DIST = fileURLToPath(new URL('../../ui-dist/', import.meta.url));

/** A served file. */
export interface Asset {
  type: string;
  bytes: Buffer;
}

/** The page's files, read once; throws a clear error when the page was never built. */
export function loadAssets(dir: string = UI_DIST): (path: string) => Asset | null {
  if (!existsSync(`${dir}/index.html`))
    throw new Error(
      `[@cairn/inspector] the inspector page is not built (no ${dir}index.html): run "pnpm --filter @cairn/inspector build:ui"`,
    );
  const cache = new Map<string, Asset | null>();
  return (path) => {
    const file =
      path === '/' || path === '/index.html' ? 'index.html' : /^\/assets\/([A-Za-z0-9_-][A-Za-z0-9._-]{0,120})$/.exec(path)?.[1];
    if (!file || file.includes('..')) return null;
    const relative = file === 'index.html' ? file : `assets/${file}`;
    if (!cache.has(relative)) {
      const extension = /\.[a-z]+$/.exec(file)?.[0] ?? '';
      const type = TYPES[extension];
      const full = `${dir}${relative}`;
      cache.set(relative, type && existsSync(full) ? { type, bytes: readFileSync(full) } : null);
    }
    return cache.get(relative) ?? null;
  };
}
