/**
 * The real-Chromium rig for Node-side tests: launch Debian's Chromium through playwright-core and
 * serve a page whose only script is a TypeScript entry file, through Vite on 127.0.0.1 with a port
 * the OS picks. Tests then open as many pages of that one origin as they need (two tabs racing,
 * a tab reloaded or crashed at a chosen moment) and drive them with `page.evaluate`.
 *
 * Reusable outside this package, e.g. for the agent reload tests:
 *
 * @example
 * import { launchChromium, servePage, trackPageErrors } from '@cairn/test-rigs/chromium';
 * const browser = await launchChromium();
 * const site = await servePage(new URL('../../../packages/storage-indexeddb/test/agent-page.ts', import.meta.url));
 * const context = await browser.newContext();
 * const page = await context.newPage();
 * const errors = trackPageErrors(page);
 * await page.goto(site.url);
 * await page.waitForFunction(() => 'agent' in window);
 * // … page.reload() at a random moment, then check the run resumed …
 * await context.close(); await browser.close(); await site.close();
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type LaunchOptions, type Page } from 'playwright-core';
import { build } from 'vite';
import { CHROMIUM_ARGS, CHROMIUM_MISSING, CHROMIUM_PATH } from './chromium-flags.ts';
import { serveWithVite } from './vite-server.ts';

export { CHROMIUM_ARGS, CHROMIUM_PATH, DEBIAN_CHROMIUM } from './chromium-flags.ts';

/**
 * Launch headless Chromium (`CAIRN_CHROMIUM`, else Debian's) with a fresh temporary profile. Never
 * downloads a browser: when it is missing it fails saying how to get one.
 */
export async function launchChromium(options: Pick<LaunchOptions, 'timeout' | 'slowMo'> = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(CHROMIUM_MISSING);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS],
    headless: true,
    timeout: 30_000,
    ...options,
  });
}

/** A Chromium process of our own, with a named profile, that a test can kill like a crash. */
export interface ChromiumProcess {
  readonly browser: Browser;
  /** The profile's default context: its storage lives in the profile directory, on disk. */
  readonly context: BrowserContext;
  /** SIGKILL the browser (every process of it) and wait for it to exit: nothing gets to flush. */
  kill(): Promise<void>;
  /** Close the browser normally. */
  close(): Promise<void>;
  /** Everything the browser wrote to stderr so far (e.g. IndexedDB's recovery messages). */
  stderr(): string;
}

/**
 * Start Chromium on the profile `userDataDir` and connect to it over CDP. Unlike `launchChromium`,
 * the storage is on disk in that directory and survives `kill()`: start it again on the same
 * directory to see what a user would see after the browser crashed.
 */
export async function launchChromiumProcess(userDataDir: string, timeoutMs = 30_000): Promise<ChromiumProcess> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(CHROMIUM_MISSING);
  const child = spawn(
    CHROMIUM_PATH,
    [
      ...CHROMIUM_ARGS,
      `--user-data-dir=${userDataDir}`,
      '--remote-debugging-address=127.0.0.1',
      '--remote-debugging-port=0',
      'about:blank',
    ],
    // Its own process group, so kill() reaches the renderers and utility processes too.
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Chromium did not start within ${timeoutMs} ms:\n${output.slice(-2000)}`)),
      timeoutMs,
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Chromium exited with code ${code} before listening:\n${output.slice(-2000)}`));
    });
  }).catch(async (error: unknown) => {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    throw error;
  });
  // The listener above stays attached: `output` keeps all of stderr, for tests that look for what
  // Chromium logs about the profile it found (e.g. a wiped IndexedDB).
  const browser = await chromium.connectOverCDP(endpoint, { timeout: timeoutMs });
  const context = browser.contexts()[0];
  if (!context) throw new Error('Chromium started without a default context');
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    }
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  };
  return {
    browser,
    context,
    kill: () => stop('SIGKILL'),
    async close() {
      await browser.close().catch(() => {});
      await stop('SIGTERM');
    },
    stderr: () => output,
  };
}

/** A page served on 127.0.0.1. */
export interface ServedPage {
  /** The page's URL (`http://127.0.0.1:<port>/`); every page opened on it shares one origin. */
  readonly url: string;
  /** The origin, e.g. for CDP's `Storage.*` commands. */
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * Dependencies of `@cairn/core` that are hundreds of small modules each (openai, zod): bundled once
 * when the server starts instead of fetched file by file on every page load (≈4 s → <1 s).
 */
export const CORE_DEPENDENCIES: readonly string[] = ['@cairn/core > openai', '@cairn/core > zod'];

/** Options of `servePage`. */
export interface ServePageOptions {
  /** Page title (default: the entry's file name). */
  title?: string;
  /**
   * Dependencies to pre-bundle when the server starts (default `CORE_DEPENDENCIES`); CommonJS-only
   * dependencies the entry imports must be listed. Nothing else is discovered later, so a page is
   * never reloaded by the optimizer behind a test's back.
   */
  optimizeDeps?: readonly string[];
  /**
   * Build the entry once, with everything it imports, into one script (a Vite production build,
   * not minified) and serve it from memory. A tab in a fresh context then loads two files instead
   * of ~60 modules (≈ 3 s → 0.3 s on a busy 2-core machine), which matters for tests that open
   * many contexts or reload often. `optimizeDeps` does not apply.
   */
  bundle?: boolean;
}

/**
 * Serve an HTML page that loads `entryFile` (TypeScript welcome) as a module. Vite's dev server
 * transforms the entry and everything it imports, workspace packages included, on request. No HMR,
 * no file watching, no dependency discovery: a page is never reloaded behind a test's back.
 */
export async function servePage(entryFile: string | URL, options: ServePageOptions = {}): Promise<ServedPage> {
  const entry = typeof entryFile === 'string' ? entryFile : fileURLToPath(entryFile);
  if (!existsSync(entry)) throw new Error(`servePage: no entry file at ${entry}`);
  if (options.bundle) return serveBundle(entry, options.title ?? basename(entry));
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${options.title ?? basename(entry)}</title></head><body><script type="module" src="/${basename(entry)}"></script></body></html>`;
  return serveWithVite(
    {
      configFile: false,
      root: dirname(entry),
      logLevel: 'error',
      clearScreen: false,
      appType: 'custom',
      optimizeDeps: { noDiscovery: true, include: [...(options.optimizeDeps ?? CORE_DEPENDENCIES)] },
      server: { hmr: false, ws: false, watch: null },
      plugins: [
        {
          name: 'cairn-test-page',
          configureServer(vite) {
            // The page is served as is: no Vite client, which would only try to open the HMR socket.
            vite.middlewares.use((request, response, next) => {
              if (request.url === '/favicon.ico') {
                response.statusCode = 204;
                response.end();
                return;
              }
              // A query string configures the page (database name, endpoints) and survives reloads.
              const path = request.url?.split('?')[0];
              if (path !== '/' && path !== '/index.html') return next();
              response.setHeader('content-type', 'text/html; charset=utf-8');
              response.setHeader('cache-control', 'no-store');
              response.end(html);
            });
          },
        },
      ],
    },
    'servePage',
  );
}

/** `servePage(entry, { bundle: true })`: one build, then a plain HTTP server on 127.0.0.1. */
async function serveBundle(entry: string, title: string): Promise<ServedPage> {
  const cacheDir = await mkdtemp(join(tmpdir(), 'cairn-vite-'));
  let built: Awaited<ReturnType<typeof build>>;
  try {
    built = await build({
      configFile: false,
      root: dirname(entry),
      cacheDir,
      logLevel: 'error',
      build: {
        write: false,
        emptyOutDir: false,
        copyPublicDir: false,
        minify: false,
        modulePreload: false,
        reportCompressedSize: false,
        target: 'es2023',
        rolldownOptions: { input: entry },
      },
    });
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
  if (!('output' in built) && !Array.isArray(built)) throw new Error('servePage: the build did not return its output');
  const files = new Map<string, string | Uint8Array>();
  let script: string | undefined;
  for (const output of Array.isArray(built) ? built : [built]) {
    for (const file of output.output) {
      files.set(`/${file.fileName}`, file.type === 'chunk' ? file.code : file.source);
      if (file.type === 'chunk' && file.isEntry) script = `/${file.fileName}`;
    }
  }
  if (!script) throw new Error(`servePage: building ${entry} produced no entry script`);
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><script type="module" src="${script}"></script></body></html>`;
  const server = createHttpServer((request, response) => {
    // A query string configures the page (database name, endpoints) and survives reloads.
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const body = path === '/' || path === '/index.html' ? html : files.get(path);
    if (body === undefined) {
      response.writeHead(path === '/favicon.ico' ? 204 : 404).end();
      return;
    }
    const type = path.endsWith('.js') ? 'text/javascript' : path.endsWith('.css') ? 'text/css' : 'text/html';
    response.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' }).end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/`,
    origin,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Collect uncaught errors and `console.error` lines of `page` (into `errors`), to assert a page stayed healthy. */
export function trackPageErrors(page: Page, errors: string[] = []): string[] {
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
  });
  return errors;
}

/** Options of `openTab`. */
export interface OpenTabOptions {
  /** Collect the page's uncaught errors and `console.error` lines here, from before it loads. */
  errors?: string[];
  /** Bound on loading and on waiting for the ready global (default 15 s). */
  timeoutMs?: number;
}

/**
 * Open a tab on `url` in `context` (tabs of one context share the origin's storage and locks) and
 * wait until the page script has set `window[ready]`.
 */
export async function openTab(context: BrowserContext, url: string, ready: string, options: OpenTabOptions = {}): Promise<Page> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const page = await context.newPage();
  if (options.errors) trackPageErrors(page, options.errors);
  await page.goto(url, { timeout: timeoutMs });
  await page.waitForFunction((name) => name in window, ready, { timeout: timeoutMs });
  return page;
}

/** Crash `page`'s renderer, as a killed tab would (the browser then releases its Web Locks). */
export async function crashPage(page: Page): Promise<void> {
  const session = await page.context().newCDPSession(page);
  // The command never answers: the renderer is gone before it could.
  void session.send('Page.crash').catch(() => {});
  await page.waitForEvent('crash', { timeout: 10_000 });
}
