// The Cairn Inspector end to end: `cairn ui` in a child process over a SQLite store seeded by real
// agent runs in other child processes (the real `openai` client over HTTP to a local server), driven
// from real Chromium. One run SIGKILLed mid-run, one paused for approval, one failed, one completed,
// one whose model output and tool results are hostile; then approve, retry, fork and a live run.
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, trackPageErrors } from '@cairn/test-rigs/chromium';
import { killRunningChildren, resultOf, runKillableChild } from '@cairn/test-rigs/kill-child';
import { createOpenAITestServer, type OpenAITestServer } from '@cairn/test-rigs/openai-test-server';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { buildWithVite } from '@cairn/test-rigs/vite-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_WORKFLOWS } from '../test-support/agent-store.ts';
import { type InspectorProcess, startInspectorProcess } from '../test-support/inspector-process.ts';
import { readSales, refundReply, shopReply } from './fixtures/shop-agent.ts';

const CHILD = fileURLToPath(new URL('./fixtures/agent-child.ts', import.meta.url));
const INSPECTOR_VITE_CONFIG = fileURLToPath(
  import.meta.resolve('@cairn/inspector/package.json').replace('package.json', 'vite.config.ts'),
);
const API_KEY = 'sk-test-inspector-71c0de3f';
const SCREENSHOTS = process.env.CAIRN_SCREENSHOTS_DIR;

/** What an attacker puts in model output and tool results. */
const HOSTILE = [
  '<script>window.__pwned = "script"</script>',
  '<img src=x onerror="window.__pwned = \'img\'">',
  '[click me](javascript:window.__pwned="md")',
  '<a href="javascript:window.__pwned=\'a\'">link</a>',
  '\u001b[31mRED\u001b[0m',
  '\u001b]8;;https://evil.example/\u0007osc link\u001b]8;;\u0007',
  '\u001b]0;new title\u0007',
  '\u202eevil',
].join(' ');

type Browser = Awaited<ReturnType<typeof launchChromium>>;
type Page = Awaited<ReturnType<Browser['newPage']>>;

const temp = makeTempDir('inspector-ui');
const db = join(temp.path, 'runs.db');
let server: OpenAITestServer;
let inspector: InspectorProcess;
let browser: Browser;
let down = false;
let slowMs = 0;

// biome-ignore lint/suspicious/noExplicitAny: request bodies as the server received them
function turnOf(body: any): number {
  return body.messages.filter((m: { role: string }) => m.role === 'assistant').length;
}

// biome-ignore lint/suspicious/noExplicitAny: request bodies as the server received them
function hostileReply(body: any) {
  if (turnOf(body) === 0)
    return { text: HOSTILE, toolCalls: [{ id: 'call_h', name: 'lookup_price', arguments: JSON.stringify({ item: HOSTILE }) }] };
  return { text: `Done. ${HOSTILE}` };
}

function child(name: string, model: string, mode: 'start' | 'run', kill?: () => boolean) {
  return runKillableChild(
    CHILD,
    {
      mode,
      db,
      baseURL: server.baseURL,
      salesFile: join(temp.path, `${name}.sales`),
      model,
      runId: `run_${name}`,
      input: `Record the day (${name}).`,
    },
    { env: { CAIRN_TEST_API_KEY: API_KEY }, timeoutMs: 60_000, ...(kill ? { killWhen: kill } : {}) },
  );
}

async function openInspector(hash = ''): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  const errors = trackPageErrors(page);
  page.on('dialog', (dialog) => {
    errors.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(inspector.url);
  await page.waitForSelector('[data-backend]');
  if (hash)
    await page.evaluate((h) => {
      location.hash = h;
    }, hash);
  return { page, errors };
}

async function runStatus(page: Page): Promise<string | null> {
  return page.locator('.run-header [data-run-status]').getAttribute('data-run-status');
}

beforeAll(async () => {
  await buildWithVite(INSPECTOR_VITE_CONFIG);
  server = await createOpenAITestServer({
    respond: async (body) => {
      if (slowMs) await new Promise((resolve) => setTimeout(resolve, slowMs));
      if (body.model === 'refunds') return refundReply(body);
      if (body.model === 'hostile') return hostileReply(body);
      return shopReply(body);
    },
    faultFor: (body) => (down && body.model === 'shop' && turnOf(body) >= 2 ? { kind: 'status', status: 503 } : undefined),
    delayMs: 5,
    chunkDelayMs: 1,
  });
  // The four states, each made by a real agent run in its own process.
  expect(resultOf(await child('completed', 'shop', 'start'))).toMatchObject({ status: 'completed' });
  expect(resultOf(await child('paused', 'refunds', 'start'))).toMatchObject({ status: 'paused' });
  down = true;
  const failed = await child('failed', 'shop', 'run');
  down = false;
  expect(failed.lines.at(-1)).toMatchObject({ event: 'error', code: 'run-failed' });
  const killedSales = join(temp.path, 'killed.sales');
  const killed = await child('killed', 'shop', 'start', () => readSales(killedSales).length >= 2);
  expect(killed.signal).toBe('SIGKILL');
  expect(resultOf(await child('hostile', 'hostile', 'start'))).toMatchObject({ status: 'completed' });
  inspector = await startInspectorProcess(['--store', `sqlite:${db}`, '--workflows', CLI_WORKFLOWS], {
    CAIRN_TEST_BASE_URL: server.baseURL,
    CAIRN_TEST_API_KEY: API_KEY,
    CAIRN_TEST_SALES_FILE: join(temp.path, 'inspector.sales'),
  });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  killRunningChildren();
  await browser?.close();
  await inspector?.stop();
  await server?.close();
  temp.remove();
});

describe('cairn ui in Chromium over a SQLite store of real agent runs', () => {
  it('lists every run with its state and the counts by status', async () => {
    const { page, errors } = await openInspector();
    const row = (runId: string) => page.locator(`tr[data-run-id="${runId}"]`);
    await row('run_killed').waitFor();
    expect(await row('run_completed').getAttribute('data-status')).toBe('completed');
    expect(await row('run_paused').getAttribute('data-status')).toBe('paused');
    expect(await row('run_failed').getAttribute('data-status')).toBe('failed');
    expect(await row('run_killed').getAttribute('data-status')).toBe('running');
    // The killed process's lease ran out (1 s): nobody drives the run, and the badge says so.
    await expect
      .poll(() => row('run_killed').locator('[data-run-status]').textContent(), { timeout: 10_000 })
      .toBe('running · lease expired');
    expect(await row('run_paused').locator('[data-run-status]').textContent()).toBe('paused · approval');
    expect(await page.locator('[data-count="failed"]').textContent()).toBe('1 failed');
    // Filter by status, then search by id.
    await page.selectOption('select[name="status"]', 'paused');
    await page.click('form[data-filters] button[type="submit"]');
    await expect.poll(() => page.locator('tr[data-run-id]').count()).toBe(1);
    await page.selectOption('select[name="status"]', '');
    await page.fill('input[name="runId"]', 'run_failed');
    await page.click('form[data-filters] button[type="submit"]');
    await expect
      .poll(() => page.locator('tr[data-run-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run-id'))))
      .toEqual(['run_failed']);
    await page.fill('input[name="runId"]', '');
    await page.click('form[data-filters] button[type="submit"]');
    await row('run_hostile').waitFor();
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, 'inspector-list.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the killed run with its in-flight once step and an approve from the page completes the paused run', async () => {
    const { page, errors } = await openInspector('#/runs/run_killed');
    await page.waitForSelector('[data-timeline] tr[data-kind="step-start"]');
    // record_sale is a `once` step: its intent carries the idempotency key, whether or not it ended.
    const once = await page.locator('[data-once]').first().textContent();
    expect(once).toMatch(/^once · idempotency key run_killed:\d+ · outcome /);
    // Another process takes the killed run over: the page shows the takeover and who ran what.
    const resumed = await runKillableChild(
      CHILD,
      {
        mode: 'resume',
        db,
        baseURL: server.baseURL,
        salesFile: join(temp.path, 'killed.sales'),
        model: 'shop',
        runId: 'run_killed',
      },
      { env: { CAIRN_TEST_API_KEY: API_KEY }, timeoutMs: 60_000 },
    );
    expect(resultOf(resumed)).toMatchObject({ status: 'completed' });
    await expect.poll(() => runStatus(page), { timeout: 10_000 }).toBe('completed');
    const takeover = await page.locator('[data-takeover]').last().textContent();
    expect(takeover).toMatch(/took over from child-\d+: the \d+ steps above were replayed from the journal/);
    await page.evaluate(() => {
      location.hash = '#/runs/run_paused';
    });
    await page.waitForSelector('[data-approve]');
    expect(await runStatus(page)).toBe('paused');
    await page.fill('[data-by]', 'Ada Lovelace');
    await page.fill('[data-approval] [data-reason]', 'customer is right');
    await page.click('[data-approve]');
    await expect.poll(() => runStatus(page), { timeout: 20_000 }).toBe('completed');
    await expect.poll(() => page.locator('[data-decision="approved"]').textContent()).toMatch(/^by Ada Lovelace at /);
    expect(await page.locator('[data-conversation]').textContent()).toContain('why: customer is right');
    expect(await page.locator('[data-final-answer]').textContent()).toContain('Refund outcome');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('retries the failed run in place until it completes', async () => {
    const { page, errors } = await openInspector('#/runs/run_failed');
    await page.waitForSelector('[data-run-error]');
    expect(await page.locator('[data-run-error]').textContent()).toMatch(/503/);
    await page.fill('[data-by]', 'ops');
    await page.click('[data-action="retry"]');
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('completed');
    expect(await page.locator('tr[data-kind="run-retry"] .what').textContent()).toMatch(/^retried by ops/);
    expect(await page.locator('[data-final-answer]').textContent()).toContain('Recorded 5 sales');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('forks a run from a chosen step into a new run that completes', async () => {
    const { page, errors } = await openInspector('#/runs/run_completed');
    await page.waitForSelector('[data-chart-tokens]');
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, 'inspector-run.png'), fullPage: true });
    const modelSteps = page.locator('tr[data-kind="step-end"][data-step^="model#"]');
    // One bar per model call in the tokens chart (six turns), one per step in the durations chart.
    expect(await page.locator('[data-chart-tokens]').getAttribute('data-chart-tokens')).toBe('6');
    expect(Number(await page.locator('[data-chart-durations]').getAttribute('data-chart-durations'))).toBeGreaterThan(6);
    const atSeq = Number(await modelSteps.nth(2).getAttribute('data-seq'));
    await modelSteps.nth(2).locator('[data-fork]').click();
    await page.waitForSelector('[data-forked-from="run_completed"]');
    const forkId = await page.locator('[data-run-title]').textContent();
    expect(forkId).not.toBe('run_completed');
    expect(await page.locator('[data-forked-from]').textContent()).toContain(`at seq ${atSeq}`);
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('completed');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('follows a run progressing in another process live, without a reload', async () => {
    slowMs = 250;
    const running = child('live', 'shop', 'start');
    // Open its page once the run exists (before, the page would rightly report a missing run).
    await expect
      .poll(
        async () =>
          (await fetch(`${inspector.origin}/api/runs/run_live`, { headers: { authorization: `Bearer ${inspector.token}` } }))
            .status,
        { timeout: 20_000 },
      )
      .toBe(200);
    const { page, errors } = await openInspector('#/runs/run_live');
    await page.evaluate(() => {
      (window as unknown as { __samePage: boolean }).__samePage = true;
    });
    const steps = () => page.locator('[data-timeline] tr[data-kind="step-end"]').count();
    await expect.poll(steps, { timeout: 20_000 }).toBeGreaterThan(0);
    const first = await steps();
    expect(await runStatus(page)).toBe('running');
    await expect.poll(steps, { timeout: 20_000 }).toBeGreaterThan(first);
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('completed');
    expect(await page.evaluate(() => (window as unknown as { __samePage?: boolean }).__samePage)).toBe(true);
    slowMs = 0;
    expect(resultOf(await running)).toMatchObject({ status: 'completed' });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('renders hostile model output and tool results as inert text', async () => {
    const { page, errors } = await openInspector();
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __csp: string[] }).__csp = seen;
      document.addEventListener('securitypolicyviolation', (event: { violatedDirective: string }) =>
        seen.push(event.violatedDirective),
      );
    });
    await page.evaluate(() => {
      location.hash = '#/runs/run_hostile';
    });
    await page.waitForSelector('[data-final-answer]');
    const dom = await page.evaluate(() => {
      const root = document.getElementById('inspector')!;
      return {
        pwned: (window as unknown as { __pwned?: string }).__pwned ?? null,
        csp: (window as unknown as { __csp?: string[] }).__csp ?? [],
        scripts: document.scripts.length,
        dangerous: root.querySelectorAll('script, img, a, iframe, object, embed, link, style, [href], [src], [onerror], [style]')
          .length,
        text: root.textContent ?? '',
        title: document.title,
        modelText: document.querySelector('[data-model-text]')?.textContent ?? '',
        toolResult: document.querySelector('[data-tool-result]')?.textContent ?? '',
      };
    });
    expect(dom.pwned).toBeNull();
    expect(dom.csp).toEqual([]);
    expect(dom.scripts).toBe(1);
    expect(dom.dangerous).toBe(0);
    expect(dom.title).toBe('Cairn Inspector');
    // Shown as the characters they are, escapes made visible, nothing raw left.
    expect(dom.modelText).toContain('<script>window.__pwned = "script"</script>');
    expect(dom.modelText).toContain('<img src=x onerror=');
    expect(dom.modelText).toContain('[click me](javascript:window.__pwned="md")');
    expect(dom.modelText).toContain('\\x1b[31mRED\\x1b[0m');
    expect(dom.modelText).toContain('\\x1b]8;;https://evil.example/\\x07osc link');
    expect(dom.modelText).toContain('\\u202eevil');
    // The tool result is JSON: its string shows with JSON's own escapes, just as inert.
    expect(dom.toolResult).toContain('<script>window.__pwned = \\"script\\"</script>');
    expect(dom.toolResult).toContain('<a href=\\"javascript:');
    expect(dom.toolResult).toContain('\\u001b[31mRED\\u001b[0m');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: checking none is left
    expect(dom.text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('refuses API calls without the token or with a wrong one, and listens on loopback only', async () => {
    const runs = `${inspector.origin}/api/runs`;
    const missing = await fetch(runs);
    expect(missing.status).toBe(401);
    const wrong = await fetch(runs, { headers: { authorization: `Bearer ${inspector.token.slice(0, -1)}x` } });
    expect(wrong.status).toBe(403);
    const inQuery = await fetch(`${runs}?token=${inspector.token}`);
    expect(inQuery.status).toBe(401);
    const ok = await fetch(runs, { headers: { authorization: `Bearer ${inspector.token}`, origin: 'https://evil.example' } });
    expect(ok.status).toBe(200);
    expect([...ok.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
    expect(ok.headers.get('content-security-policy')).toContain("script-src 'self'");
    const preflight = await fetch(runs, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(new URL(inspector.url).hostname).toBe('127.0.0.1');
    // Another address of this machine reaches nothing on that port.
    const port = new URL(inspector.origin).port;
    const other = Object.values(networkInterfaces())
      .flat()
      .find((address) => address && address.family === 'IPv4' && !address.internal);
    if (other) await expect(fetch(`http://${other.address}:${port}/`)).rejects.toThrow();
  });
});
