/**
 * A run moves from a browser tab to a Durable Object: the refund flow starts on IndexedDB in real
 * Chromium and pauses on its approval; `exportRun` turns it into a document; the document is posted
 * to `POST /runs/import` of a Worker in workerd (Miniflare), approved there over HTTP, and completes
 * there with that approval. The quote step ran once, in the browser; the payment once, in workerd.
 * Its event stream in workerd replays the browser-era events from the journal.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, openTab, servePage } from '@cairn/test-rigs/chromium';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bundleWorker } from '../bundle-worker.ts';

let workDir: string;
let bundle: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'cairn-portable-'));
  bundle = join(workDir, 'worker.mjs');
  await bundleWorker(new URL('./portable-worker.ts', import.meta.url), bundle);
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** Export a paused run from IndexedDB in a real Chromium tab. */
async function exportFromChromium(runId: string): Promise<{ document: string; calls: Record<string, number> }> {
  const [browser, site] = await Promise.all([
    launchChromium(),
    servePage(new URL('./chromium-page.ts', import.meta.url), { bundle: true }),
  ]);
  try {
    const context = await browser.newContext();
    const errors: string[] = [];
    const page = await openTab(context, site.url, 'portable', { errors });
    const paused = await page.evaluate((id) => window.portable.startPaused(id), runId);
    expect(paused).toMatchObject({ runId, status: 'paused', pauseReason: 'approval' });
    const document = await page.evaluate((id) => window.portable.exportRun(id), runId);
    const calls = await page.evaluate(() => window.portable.calls());
    expect(errors).toEqual([]);
    await context.close();
    return { document, calls };
  } finally {
    await browser.close();
    await site.close();
  }
}

it('a run paused on an approval in IndexedDB (Chromium) is imported into a Durable Object (workerd) and completes there', async () => {
  const runId = `tab_${crypto.randomUUID().slice(0, 8)}`;
  const { document, calls } = await exportFromChromium(runId);
  expect(calls).toEqual({ quote: 1 });
  expect(JSON.parse(document.slice(0, document.indexOf('\n')))).toMatchObject({
    format: 'cairn-run',
    version: 1,
    run: { runId, workflow: 'portable-refund', status: 'paused', pauseReason: 'approval' },
  });

  const reports: string[] = [];
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: '127.0.0.1',
      port: 0,
      workers: [
        {
          name: 'portable',
          modules: true,
          modulesRoot: workDir,
          scriptPath: bundle,
          compatibilityDate: '2026-11-01',
          durableObjects: { RUNS: { className: 'PortableRuns', useSQLite: true } },
          serviceBindings: {
            REPORT: (request: Request) => {
              reports.push(decodeURIComponent(new URL(request.url).pathname.slice(1)));
              return new Response('ok');
            },
          },
        },
      ],
    }),
  );
  try {
    const url = await mf.ready;
    const api = (path: string, init?: RequestInit) => fetch(new URL(path, url), init);
    const imported = await api('/runs/import', { method: 'POST', body: document });
    expect(imported.status, await imported.clone().text()).toBe(201);
    const info = (await imported.json()) as { status: string; pendingApprovals: Array<{ approvalId: string; details: unknown }> };
    expect(info).toMatchObject({
      status: 'paused',
      pendingApprovals: [{ approvalId: 'refund#0', details: { orderId: 'A-7', cents: 2500, fee: 50 } }],
    });
    const again = await api('/runs/import', { method: 'POST', body: document });
    expect(again.status).toBe(409);

    const approved = await api(`/runs/${runId}/approve`, {
      method: 'POST',
      body: JSON.stringify({ approvalId: 'refund#0', approved: true, by: 'ada@example.com' }),
    });
    expect(approved.status).toBe(200);
    const deadline = Date.now() + 15_000;
    let run = (await (await api(`/runs/${runId}`)).json()) as { status: string; output?: unknown };
    while (run.status !== 'completed' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      run = (await (await api(`/runs/${runId}`)).json()) as typeof run;
    }
    expect(run).toMatchObject({ status: 'completed', output: 'rf_A-7: 2450 cents, approved by ada@example.com' });
    // The quote ran in the browser only; the payment once, here.
    expect(reports).toEqual(['pay']);

    // The stream in workerd replays the whole journal, browser part included, and ends at run-end.
    const sse = await (await api(`/runs/${runId}/events`)).text();
    const types = [...sse.matchAll(/^event: (.+)$/gm)].map((match) => match[1]);
    expect(types).toEqual(['run-start', 'step-end', 'approval-request', 'approval-decide', 'step-end', 'run-end']);
  } finally {
    await mf.dispose();
  }
});
