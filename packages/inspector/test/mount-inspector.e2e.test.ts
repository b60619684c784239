// mountInspector in real Chromium over an IndexedDB store: the run list, a run's page, and an
// approval decided in the page that the page's own runtime carries to completion.
import { launchChromium, openTab, servePage } from '@cairn/test-rigs/chromium';
import { afterAll, beforeAll, expect, it } from 'vitest';

let browser: Awaited<ReturnType<typeof launchChromium>>;
let site: Awaited<ReturnType<typeof servePage>>;

beforeAll(async () => {
  [browser, site] = await Promise.all([
    launchChromium(),
    servePage(new URL('./mount-page.ts', import.meta.url), { bundle: true }),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

it('shows and approves a run of an IndexedDB store in the page it is mounted in', async () => {
  const errors: string[] = [];
  const page = await openTab(await browser.newContext(), site.url, 'mounted', { errors });
  await page.waitForSelector('tr[data-run-id="mounted_run"][data-status="paused"]');
  expect(await page.locator('[data-backend]').textContent()).toBe('indexeddb');
  await page.locator('tr[data-run-id="mounted_run"] button').click();
  await page.fill('[data-by]', 'Mounted Reviewer');
  await page.click('[data-approve="refund#0"]');
  const status = () => page.locator('.run-header [data-run-status]').getAttribute('data-run-status');
  await expect.poll(status, { timeout: 15_000 }).toBe('completed');
  expect(await page.locator('tr[data-kind="run-end"] .what').textContent()).toContain(
    'refunded M-1, approved by Mounted Reviewer',
  );
  expect(errors).toEqual([]);
});
