/**
 * The Cairn Inspector against a Durable Objects run host in workerd (Miniflare), over the host's HTTP
 * API behind its bearer token: `cairn ui --url <runs API> --token <token>` in a child process, driven
 * from real Chromium. A run paused on an approval in the object is listed, shown, and approved from
 * the page; the object drives it to completion and the page follows.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, trackPageErrors } from '@cairn/test-rigs/chromium';
import { buildWithVite } from '@cairn/test-rigs/vite-server';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bundleWorker } from '../bundle-worker.ts';

const TOKEN = 'do-token-4e1f9a0c7b';
const packageDir = (name: string) => fileURLToPath(import.meta.resolve(`${name}/package.json`)).replace(/package\.json$/, '');
const CAIRN_BIN = join(packageDir('@cairn/storage-node'), 'bin', 'cairn.mjs');

let workDir: string;
let mf: Miniflare;
let api: string;
let ui: ChildProcess | undefined;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'cairn-inspector-do-'));
  const bundle = join(workDir, 'worker.mjs');
  await Promise.all([
    bundleWorker(new URL('./inspector-worker.ts', import.meta.url), bundle),
    buildWithVite(join(packageDir('@cairn/inspector'), 'vite.config.ts')),
  ]);
  mf = new Miniflare(
    convertV4MiniflareOptions({
      host: '127.0.0.1',
      port: 0,
      workers: [
        {
          name: 'inspector',
          modules: true,
          modulesRoot: workDir,
          scriptPath: bundle,
          compatibilityDate: '2026-11-01',
          durableObjects: { RUNS: { className: 'InspectorRuns', useSQLite: true } },
          bindings: { CAIRN_TOKEN: TOKEN },
        },
      ],
    }),
  );
  api = new URL('/runs', await mf.ready).href;
});

afterAll(async () => {
  ui?.kill('SIGKILL');
  await mf?.dispose();
  await rm(workDir, { recursive: true, force: true });
});

/** Start `cairn ui --url … --token …` and return the URL it prints. */
function startUi(): Promise<string> {
  const child = spawn(process.execPath, [CAIRN_BIN, 'ui', '--url', api, '--token', TOKEN, '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  ui = child;
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cairn ui did not start: ${stderr}`)), 20_000);
    child.once('exit', (code) => reject(new Error(`cairn ui exited with ${code}: ${stderr}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string }).url);
    });
  });
}

it('lists, shows and approves a run of a Durable Objects run host over its HTTP API', { timeout: 90_000 }, async () => {
  const started = await fetch(api, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ workflow: 'portable-refund', input: { orderId: 'D-1', cents: 1200 }, runId: 'do_refund' }),
  });
  expect(started.status, await started.clone().text()).toBe(201);
  // The host drives the run in its object until it pauses on the approval.
  await expect
    .poll(
      async () =>
        (
          (await (await fetch(`${api}/do_refund`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
            status: string;
          }
        ).status,
      { timeout: 15_000 },
    )
    .toBe('paused');
  // Without the token the host refuses: the inspector gets nothing it should not.
  expect((await fetch(api)).status).toBe(401);

  const url = await startUi();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors = trackPageErrors(page);
    await page.goto(url);
    await page.waitForSelector('tr[data-run-id="do_refund"]');
    expect(await page.locator('[data-backend]').textContent()).toMatch(/^run host 127\.0\.0\.1:\d+$/);
    expect(await page.locator('tr[data-run-id="do_refund"]').getAttribute('data-status')).toBe('paused');
    await page.locator('tr[data-run-id="do_refund"] button').click();
    await page.waitForSelector('[data-approve="refund#0"]');
    await page.fill('[data-by]', 'grace@example.com');
    await page.click('[data-approve="refund#0"]');
    const status = () => page.locator('.run-header [data-run-status]').getAttribute('data-run-status');
    await expect.poll(status, { timeout: 20_000 }).toBe('completed');
    expect(await page.locator('tr[data-kind="run-end"] .what').textContent()).toContain(
      'rf_D-1: 1150 cents, approved by grace@example.com',
    );
    // Retry and fork are on: the host has the workflow code.
    expect(await page.locator('[data-fork]').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
  }
});
