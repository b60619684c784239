/**
 * The README's example in real Chromium: the run survives a reload of its tab in the middle (while
 * it sleeps), completed steps are not run again, and another tab hears the run's events.
 */

import { launchChromium, openTab, type ServedPage, servePage } from '@cairn/test-rigs/chromium';
import { until } from '@cairn/test-rigs/waits';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

let browser: Browser;
let site: ServedPage;
let context: BrowserContext;

beforeAll(async () => {
  [browser, site] = await Promise.all([
    launchChromium(),
    servePage(new URL('../pages/readme-page.ts', import.meta.url), { bundle: true }),
  ]);
  context = await browser.newContext();
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await site?.close();
});

it('finishes the README run after a reload mid-run, running each step once', async () => {
  const errors: string[] = [];
  const driver = await openTab(context, site.url, 'readme', { errors });
  const watcher = await openTab(context, site.url, 'readme', { errors });
  const runId = await driver.evaluate(() => window.readme.start());
  // Reload while the run sleeps between its two steps.
  await until(() => driver.evaluate((id) => window.readme.get(id).then((info) => info.status === 'paused'), runId), {
    what: 'the run pausing for its sleep',
    timeoutMs: 15_000,
  });
  expect(await driver.evaluate(() => window.readme.calls())).toEqual({ compose: 1 });
  await driver.reload();
  await driver.waitForFunction(() => 'readme' in window, undefined, { timeout: 15_000 });
  const result = await driver.evaluate(async (id) => {
    // The wake time may still be ahead: resumeAll then schedules the wake-up in this tab (it only
    // lists runs it resumed at once), and result() waits through the pause.
    await window.readme.resumeAll();
    return window.readme.result(id);
  }, runId);
  expect(result).toBe('HELLO, ADA!');
  expect(await driver.evaluate(() => window.readme.calls())).toEqual({ compose: 1, shout: 1 });
  await watcher.waitForFunction(() => window.readme.heard().includes('run-end'), undefined, { timeout: 10_000 });
  expect(errors).toEqual([]);
});
